import { ManualClock } from '../../../../local/clock';
import { EventsTwin } from '../../../../local/events';

describe('Class: EventsTwin (in-process API for the deployer)', () => {
  const start = Date.UTC(2026, 0, 1, 0, 0);

  function twin(): { events: EventsTwin; clock: ManualClock; delivered: string[] } {
    const clock = new ManualClock(start);
    const events = new EventsTwin({ clock });
    const delivered: string[] = [];
    events.setInvoker(async (target) => {
      delivered.push(target.Id!);
    });
    return { events, clock, delivered };
  }

  it('fires a rule now with fireRule, whatever its schedule or state', async () => {
    // Prepare
    const { events, delivered } = twin();
    events.putRule({ Name: 'nightly', ScheduleExpression: 'cron(0 2 * * ? *)', State: 'DISABLED' });
    events.putTargets({ Rule: 'nightly', Targets: [{ Id: 'a', Arn: 'arn:a', Input: '{"x":1}' }] });

    // Act
    const made = await events.fireRule('nightly');
    await events.close();

    // Assess
    expect(delivered).toEqual(['a']);
    expect(made).toEqual([{ rule: 'nightly', target: 'arn:a', input: '{"x":1}', at: start }]);
  });

  it('reschedules a rule whose expression is updated, and keeps its targets', async () => {
    // Prepare
    const { events, clock, delivered } = twin();
    events.putRule({ Name: 'r', ScheduleExpression: 'rate(1 hour)' });
    events.putTargets({ Rule: 'r', Targets: [{ Id: 'a', Arn: 'arn:a' }] });

    // Act
    events.putRule({ Name: 'r', ScheduleExpression: 'rate(5 minutes)' });
    await clock.advance(10 * 60_000);
    const targets = events.listTargetsByRule({ Rule: 'r' }).Targets;
    await events.close();

    // Assess
    expect(delivered).toEqual(['a', 'a']);
    expect(targets).toEqual([{ Id: 'a', Arn: 'arn:a' }]);
  });

  it('stops firing a disabled rule and fires it again once enabled', async () => {
    // Prepare
    const { events, clock, delivered } = twin();
    events.putRule({ Name: 'r', ScheduleExpression: 'rate(1 minute)' });
    events.putTargets({ Rule: 'r', Targets: [{ Id: 'a', Arn: 'arn:a' }] });

    // Act
    events.disableRule({ Name: 'r' });
    await clock.advance(3 * 60_000);
    const whileDisabled = delivered.length;
    events.enableRule({ Name: 'r' });
    await clock.advance(60_000);
    const described = events.describeRule({ Name: 'r' });
    await events.close();

    // Assess
    expect(whileDisabled).toBe(0);
    expect(delivered).toEqual(['a']);
    expect(described).toMatchObject({ Name: 'r', State: 'ENABLED', ScheduleExpression: 'rate(1 minute)' });
  });

  it('deletes a rule only once its targets are removed (or with Force), as EventBridge does', async () => {
    // Prepare
    const { events, clock, delivered } = twin();
    events.putRule({ Name: 'r', ScheduleExpression: 'rate(1 minute)' });
    events.putTargets({ Rule: 'r', Targets: [{ Id: 'a', Arn: 'arn:a' }] });

    // Act
    const refused = (() => {
      try {
        events.deleteRule({ Name: 'r' });
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    events.removeTargets({ Rule: 'r', Ids: ['a'] });
    events.deleteRule({ Name: 'r' });
    await clock.advance(5 * 60_000);

    // Assess
    expect(refused).toMatchObject({ name: 'ValidationException' });
    expect(events.listRules().Rules).toEqual([]);
    expect(delivered).toEqual([]);
    expect(() => events.describeRule({ Name: 'r' })).toThrow(
      expect.objectContaining({ name: 'ResourceNotFoundException' }),
    );
  });
});
