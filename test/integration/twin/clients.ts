/**
 * A twin on a free port with the AWS SDK clients the integration tests speak to it through, made and closed in one
 * place. The keys name no role session the IAM twin issued, so calls run as the account (nothing is checked):
 * tests that exercise IAM make their own clients with a role's keys.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisAnalyticsClient } from '@aws-sdk/client-kinesis-analytics';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { startTwin, type Twin, type TwinOptions } from '../../../local/twin';

export const REGION = 'us-east-1';

/** What every SDK client of a test takes to reach the twin at `endpoint`. */
export function clientConfig(endpoint: string): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return { endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
}

export interface TwinClients {
  twin: Twin;
  kinesis: KinesisClient;
  analytics: KinesisAnalyticsClient;
  lambda: LambdaClient;
  /** Destroys the clients, then closes the twin. */
  close(): Promise<void>;
}

/**
 * Starts a twin (port 0, `fast: true`, then `options`) and SDK clients on it.
 *
 * @param options - more twin options (a data directory, faults, ...)
 */
export async function twinClients(options: TwinOptions = {}): Promise<TwinClients> {
  const twin = await startTwin({ port: 0, fast: true, ...options });
  const config = clientConfig(twin.endpoint);
  const kinesis = new KinesisClient(config);
  const analytics = new KinesisAnalyticsClient(config);
  const lambda = new LambdaClient(config);
  return {
    twin,
    kinesis,
    analytics,
    lambda,
    close: async () => {
      kinesis.destroy();
      analytics.destroy();
      lambda.destroy();
      await twin.close();
    },
  };
}
