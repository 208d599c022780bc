import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../local/clock';
import { EventsTwin } from '../../../../local/events';

const TEARDOWN = 'arn:aws:states:us-east-1:000000000000:stateMachine:teardown';

describe('EventBridge twin with a data directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'events-durable-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps rules and targets across a crash, and the schedule fires again after the restart', async () => {
    // Prepare
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0));
    const first = new EventsTwin({ clock, dataDir: join(dir, 'a') });
    first.putRule({ Name: 'nightly', ScheduleExpression: 'cron(0 2 * * ? *)', Description: 'teardown' });
    first.putTargets({ Rule: 'nightly', Targets: [{ Id: 't', Arn: TEARDOWN, Input: '{"all":true}' }] });
    first.putRule({ Name: 'off', ScheduleExpression: 'rate(1 minute)', State: 'DISABLED' });
    first.putTargets({ Rule: 'off', Targets: [{ Id: 'o', Arn: TEARDOWN }] });
    first.putRule({ Name: 'gone', ScheduleExpression: 'rate(1 minute)' });
    first.deleteRule({ Name: 'gone', Force: true });
    await first.flush();

    // Act: what a SIGKILL leaves (the live owner's LOCK aside), opened by a second twin
    cpSync(join(dir, 'a'), join(dir, 'b'), { recursive: true, filter: (source) => !source.endsWith('LOCK') });
    await first.close();
    const second = new EventsTwin({ clock, dataDir: join(dir, 'b') });
    const delivered: { arn: string; input: string }[] = [];
    second.setInvoker(async (target, input) => {
      delivered.push({ arn: target.Arn!, input });
    });
    await clock.advance(3 * 60 * 60_000);
    const rules = second.listRules().Rules?.map((r) => [r.Name, r.State, r.ScheduleExpression, r.Description]);
    await second.close();

    // Assess
    expect(rules).toEqual([
      ['nightly', 'ENABLED', 'cron(0 2 * * ? *)', 'teardown'],
      ['off', 'DISABLED', 'rate(1 minute)', undefined],
    ]);
    expect(delivered).toEqual([{ arn: TEARDOWN, input: '{"all":true}' }]);
  });
});
