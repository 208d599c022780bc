import { ManualClock } from '../../../../local/clock';
import { EventsTwin, parseSchedule } from '../../../../local/events';

describe('Function: parseSchedule', () => {
  const jan1 = Date.UTC(2026, 0, 1, 3, 0);

  it.each([
    ['rate(5 minutes)', Date.UTC(2026, 0, 1, 3, 5)],
    ['rate(1 hour)', Date.UTC(2026, 0, 1, 4, 0)],
    ['cron(0 2 * * ? *)', Date.UTC(2026, 0, 2, 2, 0)],
    // AWS numbers weekdays from Sunday = 1: 2 is Monday, 5 January 2026
    ['cron(0 12 ? * 2 *)', Date.UTC(2026, 0, 5, 12, 0)],
    ['cron(30 9 1 * ? 2027)', Date.UTC(2027, 0, 1, 9, 30)],
  ])('computes the next firing of %s', (expression, expected) => {
    // Act
    const next = parseSchedule(expression)(jan1);

    // Assess
    expect(next).toBe(expected);
  });

  it.each(['rate(0 minutes)', 'rate(1 minutes)', 'cron(0 2 * * *)', 'cron(0 2 1 * 2 *)', 'every day'])(
    'rejects %s as EventBridge does',
    (expression) => {
      // Act
      const act = (): unknown => parseSchedule(expression);

      // Assess
      expect(act).toThrow(/ScheduleExpression is not valid/);
    },
  );
});

describe('Class: EventsTwin', () => {
  describe('Method: putRule', () => {
    it("delivers the rule's Input to its target each time the schedule fires on the clock", async () => {
      // Prepare
      const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0));
      const events = new EventsTwin({ clock });
      const delivered: { arn: string; input: string }[] = [];
      events.setInvoker(async (target, input) => {
        delivered.push({ arn: target.Arn!, input });
      });
      events.putRule({ Name: 'nightly', ScheduleExpression: 'cron(0 2 * * ? *)' });
      events.putTargets({
        Rule: 'nightly',
        Targets: [{ Id: 't', Arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:teardown', Input: '{}' }],
      });

      // Act
      await clock.advance(60 * 60_000);
      const beforeTwo = delivered.length;
      await clock.advance(2 * 24 * 60 * 60_000);
      await events.close();

      // Assess
      expect(beforeTwo).toBe(0);
      expect(delivered).toEqual([
        { arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:teardown', input: '{}' },
        { arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:teardown', input: '{}' },
      ]);
    });

    it('sends the scheduled event when the target has no Input, and nothing while disabled', async () => {
      // Prepare
      const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0));
      const events = new EventsTwin({ clock });
      const inputs: string[] = [];
      events.setInvoker(async (_target, input) => {
        inputs.push(input);
      });
      events.putRule({ Name: 'r', ScheduleExpression: 'rate(1 minute)' });
      events.putTargets({ Rule: 'r', Targets: [{ Id: 'a', Arn: 'arn:x' }] });
      events.putRule({ Name: 'off', ScheduleExpression: 'rate(1 minute)', State: 'DISABLED' });
      events.putTargets({ Rule: 'off', Targets: [{ Id: 'b', Arn: 'arn:y' }] });

      // Act
      await clock.advance(60_000);
      await events.close();

      // Assess
      expect(inputs).toHaveLength(1);
      expect(JSON.parse(inputs[0]!)).toMatchObject({
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        time: '2026-01-01T00:01:00Z',
        resources: ['arn:aws:events:us-east-1:000000000000:rule/r'],
      });
    });
  });
});
