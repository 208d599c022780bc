/**
 * AWS/Kinesis from the Kinesis twin's traffic, as Kinesis Data Streams publishes it per stream (dimension
 * StreamName) and per enhanced fan-out consumer (StreamName, ConsumerName): one datapoint per call, so Sum is
 * records or bytes and SampleCount is calls.
 */
import type { TrafficObserver } from '../../kinesis';
import type { MetricSink } from './sink';

const NS = 'AWS/Kinesis';

export function kinesisTraffic(sink: MetricSink): TrafficObserver {
  const stream = (name: string) => [{ Name: 'StreamName', Value: name }];
  return {
    put(name, records, bytes, throttled) {
      const dims = stream(name);
      sink.count(NS, 'IncomingRecords', dims, records, 'Count');
      sink.count(NS, 'IncomingBytes', dims, bytes, 'Bytes');
      sink.count(NS, 'WriteProvisionedThroughputExceeded', dims, throttled, 'Count');
    },
    read(name, records, bytes, iteratorAgeMs) {
      const dims = stream(name);
      sink.count(NS, 'GetRecords.Records', dims, records, 'Count');
      sink.count(NS, 'GetRecords.Bytes', dims, bytes, 'Bytes');
      sink.count(NS, 'GetRecords.Success', dims, 1, 'Count');
      sink.count(NS, 'GetRecords.IteratorAgeMilliseconds', dims, iteratorAgeMs, 'Milliseconds');
      sink.count(NS, 'ReadProvisionedThroughputExceeded', dims, 0, 'Count');
    },
    readThrottled(name) {
      sink.count(NS, 'ReadProvisionedThroughputExceeded', stream(name), 1, 'Count');
    },
    pushed(name, consumer, records, bytes, millisBehindLatest) {
      const dims = [...stream(name), { Name: 'ConsumerName', Value: consumer }];
      sink.count(NS, 'SubscribeToShardEvent.Records', dims, records, 'Count');
      sink.count(NS, 'SubscribeToShardEvent.Bytes', dims, bytes, 'Bytes');
      sink.count(NS, 'SubscribeToShardEvent.MillisBehindLatest', dims, millisBehindLatest, 'Milliseconds');
    },
  };
}
