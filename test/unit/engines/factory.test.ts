import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisAnalyticsClient } from '@aws-sdk/client-kinesis-analytics';
import { createClients } from '../../../src/aws';
import { createEngine } from '../../../src/engines';
import { KinesisAnalyticsEngine } from '../../../src/engines/kinesis-analytics';
import { makeConfig } from './fixtures';

describe('Function: createClients', () => {
  it('builds each client on first use, for the region, and reuses it', async () => {
    // Act
    const clients = createClients('eu-west-1');
    const first = clients.kinesisAnalytics;

    // Assess
    expect(first).toBeInstanceOf(KinesisAnalyticsClient);
    expect(clients.kinesisAnalytics).toBe(first);
    expect(clients.kinesis).toBeInstanceOf(KinesisClient);
    expect(await first.config.region()).toBe('eu-west-1');
  });
});

describe('Function: createEngine', () => {
  it('builds the kinesis-analytics engine with at most three outputs per application', () => {
    // Act
    const engine = createEngine('kinesis-analytics', makeConfig(4), createClients('us-east-1'));

    // Assess
    expect(engine).toBeInstanceOf(KinesisAnalyticsEngine);
    expect(engine.name).toBe('kinesis-analytics');
    expect(engine.plan().map((p) => p.outputs.length)).toEqual([3, 1]);
  });
});
