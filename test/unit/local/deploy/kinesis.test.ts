import { ManualClock } from '../../../../local/clock';
import type { DeployContext } from '../../../../local/deploy/context';
import { KINESIS_TYPES } from '../../../../local/deploy/resources/kinesis';
import { KinesisTwin } from '../../../../local/kinesis';

describe('Module: deploy/resources/kinesis', () => {
  it("waits for a stream to become ACTIVE on the twin's Clock, not the wall clock", async () => {
    // Prepare
    const clock = new ManualClock();
    const kinesis = new KinesisTwin({ clock, limits: false, createDelayMs: 500 });
    const ctx = {
      target: { kinesis },
      clock,
      region: 'us-east-1',
      accountId: '000000000000',
      stackName: 's',
      request: { region: 'us-east-1', accountId: '000000000000', headers: {} },
    } as unknown as DeployContext;
    let made: unknown;

    // Act
    const creating = Promise.resolve(KINESIS_TYPES['AWS::Kinesis::Stream']!.create(ctx, 'Input', { Name: 'in' })).then(
      (m) => {
        made = m;
      },
    );
    await new Promise((r) => setTimeout(r, 50));
    const beforeAdvance = made;
    await clock.advance(600);
    await creating;

    // Assess
    expect(beforeAdvance).toBeUndefined();
    expect(made).toEqual({
      physicalId: 'in',
      attributes: { Arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/in' },
    });
    await kinesis.close();
  });
});
