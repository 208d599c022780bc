/**
 * The one place that builds AWS SDK clients. Core functions take clients as arguments, so tests hand in mocks;
 * the endpoint (AWS or the local twin) comes from the environment (`AWS_ENDPOINT_URL`), read by the SDK itself.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisAnalyticsClient } from '@aws-sdk/client-kinesis-analytics';
import { LambdaClient } from '@aws-sdk/client-lambda';

export interface AwsClients {
  readonly kinesis: KinesisClient;
  readonly kinesisAnalytics: KinesisAnalyticsClient;
  readonly lambda: LambdaClient;
}

/** Retries with the SDK's standard backoff before a throttling error reaches the state machine's own Retry. */
const MAX_ATTEMPTS = 5;

/**
 * Returns SDK clients for `region`, each built on first use and shared afterwards (one per warm Lambda container).
 *
 * @param region - the AWS region of the service
 */
export function createClients(region: string): AwsClients {
  let kinesis: KinesisClient | undefined;
  let kinesisAnalytics: KinesisAnalyticsClient | undefined;
  let lambda: LambdaClient | undefined;
  return {
    get kinesis() {
      kinesis ??= new KinesisClient({ region, maxAttempts: MAX_ATTEMPTS });
      return kinesis;
    },
    get kinesisAnalytics() {
      kinesisAnalytics ??= new KinesisAnalyticsClient({ region, maxAttempts: MAX_ATTEMPTS });
      return kinesisAnalytics;
    },
    get lambda() {
      lambda ??= new LambdaClient({ region, maxAttempts: MAX_ATTEMPTS });
      return lambda;
    },
  };
}
