import { ManualClock } from '../../../../local/clock';
import { CloudWatchTwin, emfDatapoints } from '../../../../local/cloudwatch';
import { functionLogMetrics, mappingBatchMetrics } from '../../../../local/cloudwatch/sources/lambda';
import { executionMetrics } from '../../../../local/cloudwatch/sources/stepfunctions';
import { KinesisTwin } from '../../../../local/kinesis';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function statistics(cw: CloudWatchTwin, namespace: string, name: string, dims: { Name: string; Value: string }[]) {
  const s = cw.store.seriesOf(namespace, name, dims);
  if (!s) return undefined;
  const sets = [...s.seconds.values()];
  return {
    sum: sets.reduce((a, b) => a + b.sum, 0),
    count: sets.reduce((a, b) => a + b.count, 0),
    max: Math.max(...sets.map((b) => b.max)),
    unit: s.unit,
  };
}

describe('CloudWatch twin: AWS/Kinesis from the Kinesis twin', () => {
  it('counts records in, throttles, reads and the iterator age of each read', async () => {
    const clock = new ManualClock(T0);
    const kinesis = new KinesisTwin({ clock, limits: true });
    const cw = new CloudWatchTwin({ clock });
    cw.attach({ kinesis });
    kinesis.call('CreateStream', { StreamName: 'in', ShardCount: 1 });
    const records = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ data: Buffer.from(`record-${i}`), partitionKey: `k${i}` }));
    kinesis.putRecords({ StreamName: 'in' }, records(3));
    kinesis.putRecords({ StreamName: 'in' }, records(500));
    // 1,000 records a second per shard: a third batch of 500 in the same second is partly refused
    const second = kinesis.putRecords({ StreamName: 'in' }, records(500));
    const dims = [{ Name: 'StreamName', Value: 'in' }];
    expect(statistics(cw, 'AWS/Kinesis', 'IncomingRecords', dims)).toMatchObject({
      sum: 1003 - second.FailedRecordCount,
      count: 3,
      unit: 'Count',
    });
    expect(second.FailedRecordCount).toBeGreaterThan(0);
    expect(statistics(cw, 'AWS/Kinesis', 'WriteProvisionedThroughputExceeded', dims)?.sum).toBe(
      second.FailedRecordCount,
    );
    expect(statistics(cw, 'AWS/Kinesis', 'IncomingBytes', dims)?.sum).toBeGreaterThan(0);

    await clock.advance(4000);
    const iterator = kinesis.getShardIterator({ StreamName: 'in' }, 'shardId-000000000000', 'TRIM_HORIZON');
    const read = kinesis.getRecords(iterator, 10);
    expect(read.Records.length).toBe(10);
    expect(statistics(cw, 'AWS/Kinesis', 'GetRecords.Records', dims)?.sum).toBe(10);
    // the last record returned arrived 4 s ago
    expect(statistics(cw, 'AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds', dims)).toMatchObject({
      max: 4000,
      unit: 'Milliseconds',
    });
    await kinesis.close();
    cw.close();
  });
});

describe('CloudWatch twin: AWS/Lambda and embedded metrics from the function logs', () => {
  const line = (message: string, timestamp = T0) => ({
    functionName: 'kinesis-fanout-dev-fanout',
    version: '$LATEST',
    logGroupName: '/aws/lambda/kinesis-fanout-dev-fanout',
    logStreamName: '2026/01/01/[$LATEST]0123',
    requestId: 'r1',
    timestamp,
    message,
  });

  it('counts invocations, errors, throttles and duration from REPORT lines, and IteratorAge from batches', () => {
    const clock = new ManualClock(T0);
    const cw = new CloudWatchTwin({ clock });
    const log = functionLogMetrics(cw.sink);
    log(
      line(
        'REPORT RequestId: r1\tDuration: 12.50 ms\tBilled Duration: 13 ms\tMemory Size: 1024 MB\tMax Memory Used: 40 MB\t\n',
      ),
    );
    log(
      line(
        'REPORT RequestId: r2\tDuration: 30.00 ms\tBilled Duration: 30 ms\tMemory Size: 1024 MB\tMax Memory Used: 40 MB\tStatus: error\t\n',
      ),
    );
    log(line('START RequestId: r3 Version: $LATEST\n'));
    const dims = [{ Name: 'FunctionName', Value: 'kinesis-fanout-dev-fanout' }];
    expect(statistics(cw, 'AWS/Lambda', 'Invocations', dims)?.sum).toBe(2);
    expect(statistics(cw, 'AWS/Lambda', 'Errors', dims)?.sum).toBe(1);
    expect(statistics(cw, 'AWS/Lambda', 'Throttles', dims)).toMatchObject({ sum: 0, count: 2 });
    expect(statistics(cw, 'AWS/Lambda', 'Duration', dims)).toMatchObject({ sum: 42.5, max: 30 });
    mappingBatchMetrics(cw.sink)({
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:kinesis-fanout-dev-fanout:live',
      eventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/in',
      records: 5,
      iteratorAgeMs: 750,
    });
    expect(statistics(cw, 'AWS/Lambda', 'IteratorAge', dims)).toMatchObject({ max: 750, unit: 'Milliseconds' });
  });

  it('reads embedded metric format lines as Powertools Metrics writes them', () => {
    const emf = JSON.stringify({
      _aws: {
        Timestamp: T0 + 500,
        CloudWatchMetrics: [
          {
            Namespace: 'KinesisFanout',
            Dimensions: [['service']],
            Metrics: [
              { Name: 'ErrorStreamRows', Unit: 'Count' },
              { Name: 'OutputRecords', Unit: 'Count' },
            ],
          },
        ],
      },
      service: 'kinesis-fanout',
      ErrorStreamRows: 2,
      OutputRecords: [10, 5],
    });
    const points = emfDatapoints(`2026-01-01T12:00:00.500Z\tr1\tINFO\t${emf}\n`, T0);
    expect(points).toEqual([
      {
        at: T0 + 500,
        namespace: 'KinesisFanout',
        metricName: 'ErrorStreamRows',
        dimensions: [{ Name: 'service', Value: 'kinesis-fanout' }],
        value: 2,
        unit: 'Count',
      },
      {
        at: T0 + 500,
        namespace: 'KinesisFanout',
        metricName: 'OutputRecords',
        dimensions: [{ Name: 'service', Value: 'kinesis-fanout' }],
        value: 10,
        unit: 'Count',
      },
      {
        at: T0 + 500,
        namespace: 'KinesisFanout',
        metricName: 'OutputRecords',
        dimensions: [{ Name: 'service', Value: 'kinesis-fanout' }],
        value: 5,
        unit: 'Count',
      },
    ]);
    const cw = new CloudWatchTwin({ clock: new ManualClock(T0) });
    functionLogMetrics(cw.sink)(line(`${emf}\n`));
    expect(statistics(cw, 'KinesisFanout', 'OutputRecords', [{ Name: 'service', Value: 'kinesis-fanout' }])?.sum).toBe(
      15,
    );
    // not EMF, or EMF naming a dimension the line lacks, or a reserved namespace: nothing
    expect(emfDatapoints('{"_aws": 1}', T0)).toEqual([]);
    expect(emfDatapoints('plain text "_aws"', T0)).toEqual([]);
    expect(emfDatapoints(emf.replace('"service":"kinesis-fanout",', ''), T0)).toEqual([]);
    expect(emfDatapoints(emf.replace('KinesisFanout', 'AWS/Lambda'), T0)).toEqual([]);
  });
});

describe('CloudWatch twin: AWS/States from execution history', () => {
  it('counts started and failed executions and their time, per state machine', () => {
    const cw = new CloudWatchTwin({ clock: new ManualClock(T0) });
    const on = executionMetrics(cw.sink);
    const machine = 'arn:aws:states:us-east-1:000000000000:stateMachine:kinesis-fanout-dev-lifecycle';
    const ev = (type: string, at: number) => ({
      executionArn: `${machine.replace('stateMachine', 'execution')}:run-1`,
      stateMachineArn: machine,
      event: { id: 1, type, timestamp: at / 1000 } as never,
    });
    on(ev('ExecutionStarted', T0));
    on(ev('TaskStateEntered', T0 + 100));
    on(ev('ExecutionFailed', T0 + 2500));
    const dims = [{ Name: 'StateMachineArn', Value: machine }];
    expect(statistics(cw, 'AWS/States', 'ExecutionsStarted', dims)?.sum).toBe(1);
    expect(statistics(cw, 'AWS/States', 'ExecutionsFailed', dims)?.sum).toBe(1);
    expect(statistics(cw, 'AWS/States', 'ExecutionsSucceeded', dims)).toBeUndefined();
    expect(statistics(cw, 'AWS/States', 'ExecutionTime', dims)?.max).toBe(2500);
  });
});
