/**
 * The engine factory: the one place that maps an engine name to its implementation. A new engine adds a case.
 */
import type { EngineClients } from '../aws';
import type { EngineName, FanoutConfig } from '../config';
import { EngineNotAvailableError } from './errors';
import { KinesisAnalyticsEngine } from './kinesis-analytics';
import { LambdaEngine, loadLambdaSettings } from './lambda';
import type { Engine } from './types';

export * from './errors';
export * from './types';

/**
 * Builds the engine named `name` for this configuration.
 *
 * @param name - the engine, usually the execution input's `engine` or else `config.engine`
 * @param config - the service configuration
 * @param clients - SDK clients (src/aws.ts `createEngineClients`, or mocks in tests)
 */
export function createEngine(name: EngineName, config: FanoutConfig, clients: EngineClients): Engine {
  switch (name) {
    case 'kinesis-analytics':
      return new KinesisAnalyticsEngine({ config, clients });
    case 'lambda':
      return new LambdaEngine({ config, clients, settings: loadLambdaSettings() });
    default:
      throw new EngineNotAvailableError(name);
  }
}
