import { ManualClock } from '../../../../local/clock';
import { ControlPlane, type StatusDelays } from '../../../../local/kinesis-analytics/control-plane';
import { ApplicationStore } from '../../../../local/kinesis-analytics/store';
import type { AwsServiceError } from '../../../../local/service';
import { CODE, createRequest, fakeEngine, output, RecordingDataPlane } from './fakes';

const DELAYS: StatusDelays = { starting: 100, stopping: 50, updating: 30, deleting: 20 };

function setup() {
  const clock = new ManualClock();
  const store = new ApplicationStore();
  const dataPlane = new RecordingDataPlane();
  const control = new ControlPlane({
    store,
    clock,
    region: 'us-east-1',
    accountId: '000000000000',
    delays: DELAYS,
    engine: fakeEngine as never,
    dataPlane,
  });
  const call = (op: string, input: Record<string, unknown>) =>
    control.handle(op, input) as Promise<Record<string, unknown>>;
  const detail = async (name: string) =>
    (
      (await call('DescribeApplication', { ApplicationName: name })) as unknown as {
        ApplicationDetail: Record<string, unknown>;
      }
    ).ApplicationDetail;
  return { clock, store, dataPlane, control, call, detail };
}

async function failure(promise: Promise<unknown>): Promise<AwsServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as AwsServiceError;
  }
  throw new Error('expected the call to fail');
}

const start = {
  InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }],
};

describe('Class: ControlPlane', () => {
  describe('Method: handle (CreateApplication / DescribeApplication)', () => {
    it('creates a READY application at version 1 and describes it in the API shapes', async () => {
      // Prepare
      const { call, detail } = setup();

      // Act
      const created = await call('CreateApplication', createRequest('app-1'));
      const described = await detail('app-1');

      // Assess
      expect(created).toEqual({
        ApplicationSummary: {
          ApplicationName: 'app-1',
          ApplicationARN: 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/app-1',
          ApplicationStatus: 'READY',
        },
      });
      expect(described).toMatchObject({
        ApplicationStatus: 'READY',
        ApplicationVersionId: 1,
        ApplicationCode: CODE,
        InputDescriptions: [
          { InputId: '1.1', InAppStreamNames: ['SOURCE_SQL_STREAM_001'], InputParallelism: { Count: 1 } },
        ],
        OutputDescriptions: [{ OutputId: '1.1', Name: 'OUT_A' }],
      });
      expect(typeof described['CreateTimestamp']).toBe('number');
    });

    it('accepts an input schema without MappingParameters, as older clients sent it', async () => {
      // Prepare
      const { call, detail } = setup();
      const request = createRequest('old-client');
      (request['Inputs'] as { InputSchema: unknown }[])[0]!.InputSchema = {
        RecordFormat: { RecordFormatType: 'JSON' },
        RecordColumns: [{ Name: 'ID', SqlType: 'INTEGER' }],
      };

      // Act
      await call('CreateApplication', request);

      // Assess
      expect(await detail('old-client')).toMatchObject({
        InputDescriptions: [{ InputSchema: { RecordEncoding: 'UTF-8', RecordFormat: { RecordFormatType: 'JSON' } } }],
      });
    });

    it('refuses a name outside the pattern, naming the member and the constraint', async () => {
      // Prepare
      const { call } = setup();

      // Act
      const error = await failure(call('CreateApplication', { ApplicationName: 'bad name!' }));

      // Assess
      expect(error.name).toBe('InvalidArgumentException');
      expect(error.message).toContain("at 'applicationName'");
      expect(error.message).toContain('regular expression pattern: [a-zA-Z0-9_.-]+');
    });

    it('refuses code longer than 100 KB', async () => {
      // Prepare
      const { call } = setup();

      // Act
      const error = await failure(
        call('CreateApplication', { ApplicationName: 'big', ApplicationCode: 'x'.repeat(102401) }),
      );

      // Assess
      expect(error.name).toBe('InvalidArgumentException');
      expect(error.message).toContain('length less than or equal to 102400');
    });

    it('refuses a second application of the same name', async () => {
      // Prepare
      const { call } = setup();
      await call('CreateApplication', createRequest('twice'));

      // Act
      const error = await failure(call('CreateApplication', createRequest('twice')));

      // Assess
      expect(error.name).toBe('ResourceInUseException');
    });

    it('refuses a fourth destination', async () => {
      // Prepare
      const { call } = setup();
      const outputs = ['a', 'b', 'c', 'd'].map((s) => output('OUT_A', s));

      // Act
      const error = await failure(call('CreateApplication', createRequest('four', { Outputs: outputs })));

      // Assess
      expect(error.name).toBe('InvalidArgumentException');
      expect(error.message).toContain('at most 3 destinations');
    });

    it('refuses bad SQL with CodeValidationException naming the position', async () => {
      // Prepare
      const { call } = setup();

      // Act
      const error = await failure(
        call('CreateApplication', createRequest('bad-sql', { ApplicationCode: 'SELECT 1;\n  BROKEN here' })),
      );

      // Assess
      expect(error.name).toBe('CodeValidationException');
      expect(error.message).toContain('line 2, column 3');
    });

    it('describes an unknown application as ResourceNotFoundException', async () => {
      // Prepare
      const { call } = setup();

      // Act
      const error = await failure(call('DescribeApplication', { ApplicationName: 'nope' }));

      // Assess
      expect(error.name).toBe('ResourceNotFoundException');
    });
  });

  describe('Method: handle (StartApplication / StopApplication)', () => {
    it('goes READY -> STARTING -> RUNNING -> STOPPING -> READY after the delays', async () => {
      // Prepare
      const { call, detail, clock, dataPlane } = setup();
      await call('CreateApplication', createRequest('life'));
      const statuses: unknown[] = [];
      const status = async () => statuses.push((await detail('life'))['ApplicationStatus']);

      // Act
      await call('StartApplication', { ApplicationName: 'life', ...start });
      await status();
      await clock.advance(DELAYS.starting);
      await status();
      await call('StopApplication', { ApplicationName: 'life' });
      await status();
      await clock.advance(DELAYS.stopping);
      await status();

      // Assess
      expect(statuses).toEqual(['STARTING', 'RUNNING', 'STOPPING', 'READY']);
      expect(dataPlane.calls).toEqual(['check life', 'start life NOW', 'stop life']);
    });

    it('stays STOPPING until the runner has drained', async () => {
      // Prepare
      const { call, detail, clock, dataPlane } = setup();
      await call('CreateApplication', createRequest('drain'));
      await call('StartApplication', { ApplicationName: 'drain', ...start });
      await clock.advance(DELAYS.starting);
      dataPlane.holdStop = true;

      // Act
      await call('StopApplication', { ApplicationName: 'drain' });
      await clock.advance(DELAYS.stopping * 3);
      const whileDraining = (await detail('drain'))['ApplicationStatus'];
      dataPlane.release?.();
      await new Promise((resolve) => setImmediate(resolve));

      // Assess
      expect(whileDraining).toBe('STOPPING');
      expect((await detail('drain'))['ApplicationStatus']).toBe('READY');
    });

    it('refuses to start an application that is RUNNING', async () => {
      // Prepare
      const { call, clock } = setup();
      await call('CreateApplication', createRequest('busy'));
      await call('StartApplication', { ApplicationName: 'busy', ...start });
      await clock.advance(DELAYS.starting);

      // Act
      const error = await failure(call('StartApplication', { ApplicationName: 'busy', ...start }));

      // Assess
      expect(error.name).toBe('ResourceInUseException');
      expect(error.message).toContain('is RUNNING');
    });

    it('refuses to stop an application that is READY', async () => {
      // Prepare
      const { call } = setup();
      await call('CreateApplication', createRequest('idle'));

      // Act
      const error = await failure(call('StopApplication', { ApplicationName: 'idle' }));

      // Assess
      expect(error.name).toBe('ResourceInUseException');
    });

    it('refuses a start naming an input the application does not have', async () => {
      // Prepare
      const { call } = setup();
      await call('CreateApplication', createRequest('wrong-id'));

      // Act
      const error = await failure(
        call('StartApplication', {
          ApplicationName: 'wrong-id',
          InputConfigurations: [{ Id: '9.9', InputStartingPositionConfiguration: {} }],
        }),
      );

      // Assess
      expect(error.name).toBe('InvalidArgumentException');
    });

    it('passes on what the data plane finds wrong with the configuration', async () => {
      // Prepare
      const { call, dataPlane, detail } = setup();
      await call('CreateApplication', createRequest('misconfigured'));
      dataPlane.checkError = Object.assign(new Error('no such stream'), {
        name: 'InvalidApplicationConfigurationException',
      });

      // Act
      const error = await failure(call('StartApplication', { ApplicationName: 'misconfigured', ...start }));

      // Assess
      expect(error.name).toBe('InvalidApplicationConfigurationException');
      expect((await detail('misconfigured'))['ApplicationStatus']).toBe('READY');
    });
  });

  describe('Method: handle (configuration changes)', () => {
    it('refuses a stale CurrentApplicationVersionId with ConcurrentModificationException', async () => {
      // Prepare
      const { call } = setup();
      await call('CreateApplication', createRequest('stale'));
      await call('AddApplicationOutput', {
        ApplicationName: 'stale',
        CurrentApplicationVersionId: 1,
        Output: output('OUT_A', 'b'),
      });

      // Act
      const error = await failure(
        call('AddApplicationOutput', {
          ApplicationName: 'stale',
          CurrentApplicationVersionId: 1,
          Output: output('OUT_A', 'c'),
        }),
      );

      // Assess
      expect(error.name).toBe('ConcurrentModificationException');
    });

    it('adds outputs up to three, then refuses, and deletes one by id', async () => {
      // Prepare
      const { call, detail } = setup();
      await call('CreateApplication', createRequest('outs'));
      await call('AddApplicationOutput', {
        ApplicationName: 'outs',
        CurrentApplicationVersionId: 1,
        Output: output('OUT_A', 'b'),
      });
      await call('AddApplicationOutput', {
        ApplicationName: 'outs',
        CurrentApplicationVersionId: 2,
        Output: output('OUT_A', 'c'),
      });

      // Act
      const error = await failure(
        call('AddApplicationOutput', {
          ApplicationName: 'outs',
          CurrentApplicationVersionId: 3,
          Output: output('OUT_A', 'd'),
        }),
      );
      await call('DeleteApplicationOutput', {
        ApplicationName: 'outs',
        CurrentApplicationVersionId: 3,
        OutputId: '2.1',
      });

      // Assess
      expect(error.name).toBe('InvalidArgumentException');
      const described = await detail('outs');
      expect(described['ApplicationVersionId']).toBe(4);
      expect((described['OutputDescriptions'] as { OutputId: string }[]).map((o) => o.OutputId)).toEqual([
        '1.1',
        '3.1',
      ]);
    });

    it('updates a running application through UPDATING and reconfigures its runner', async () => {
      // Prepare
      const { call, detail, clock, dataPlane } = setup();
      await call('CreateApplication', createRequest('upd'));
      await call('StartApplication', { ApplicationName: 'upd', ...start });
      await clock.advance(DELAYS.starting);

      // Act
      await call('UpdateApplication', {
        ApplicationName: 'upd',
        CurrentApplicationVersionId: 1,
        ApplicationUpdate: { ApplicationCodeUpdate: `${CODE}\n-- v2` },
      });
      const during = (await detail('upd'))['ApplicationStatus'];
      await clock.advance(DELAYS.updating);

      // Assess
      expect(during).toBe('UPDATING');
      expect(await detail('upd')).toMatchObject({ ApplicationStatus: 'RUNNING', ApplicationVersionId: 2 });
      expect(dataPlane.calls).toContain('reconfigure upd');
    });

    it('refuses an update whose code does not compile, leaving the application as it was', async () => {
      // Prepare
      const { call, detail } = setup();
      await call('CreateApplication', createRequest('keep'));

      // Act
      const error = await failure(
        call('UpdateApplication', {
          ApplicationName: 'keep',
          CurrentApplicationVersionId: 1,
          ApplicationUpdate: { ApplicationCodeUpdate: 'BROKEN' },
        }),
      );

      // Assess
      expect(error.name).toBe('CodeValidationException');
      expect(await detail('keep')).toMatchObject({ ApplicationCode: CODE, ApplicationVersionId: 1 });
    });
  });

  describe('Method: handle (DeleteApplication / ListApplications / tags)', () => {
    it('deletes through DELETING, then the application is gone', async () => {
      // Prepare
      const { call, detail, clock } = setup();
      await call('CreateApplication', createRequest('gone'));
      const created = (await detail('gone'))['CreateTimestamp'];

      // Act
      await call('DeleteApplication', { ApplicationName: 'gone', CreateTimestamp: created });
      const during = (await detail('gone'))['ApplicationStatus'];
      await clock.advance(DELAYS.deleting);
      const error = await failure(call('DescribeApplication', { ApplicationName: 'gone' }));

      // Assess
      expect(during).toBe('DELETING');
      expect(error.name).toBe('ResourceNotFoundException');
    });

    it('refuses a delete whose CreateTimestamp is not the application', async () => {
      // Prepare
      const { call } = setup();
      await call('CreateApplication', createRequest('kept'));

      // Act
      const error = await failure(call('DeleteApplication', { ApplicationName: 'kept', CreateTimestamp: 1 }));

      // Assess
      expect(error.name).toBe('ConcurrentModificationException');
    });

    it('lists applications by name, page after page', async () => {
      // Prepare
      const { call } = setup();
      for (const name of ['c', 'a', 'b']) await call('CreateApplication', { ApplicationName: name });

      // Act
      const first = (await call('ListApplications', { Limit: 2 })) as unknown as {
        ApplicationSummaries: { ApplicationName: string }[];
        HasMoreApplications: boolean;
      };
      const second = (await call('ListApplications', { Limit: 2, ExclusiveStartApplicationName: 'b' })) as typeof first;

      // Assess
      expect(first.ApplicationSummaries.map((s) => s.ApplicationName)).toEqual(['a', 'b']);
      expect(first.HasMoreApplications).toBe(true);
      expect(second.ApplicationSummaries.map((s) => s.ApplicationName)).toEqual(['c']);
      expect(second.HasMoreApplications).toBe(false);
    });

    it('tags, untags and lists tags by ARN, and refuses more than 50 tags', async () => {
      // Prepare
      const { call } = setup();
      await call('CreateApplication', createRequest('tagged', { Tags: [{ Key: 'team', Value: 'data' }] }));
      const arn = 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/tagged';

      // Act
      await call('TagResource', { ResourceARN: arn, Tags: [{ Key: 'stage', Value: 'dev' }] });
      await call('UntagResource', { ResourceARN: arn, TagKeys: ['team'] });
      const listed = await call('ListTagsForResource', { ResourceARN: arn });
      const tooMany = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      const error = await failure(call('TagResource', { ResourceARN: arn, Tags: tooMany }));

      // Assess
      expect(listed).toEqual({ Tags: [{ Key: 'stage', Value: 'dev' }] });
      expect(error.name).toBe('TooManyTagsException');
    });
  });
});
