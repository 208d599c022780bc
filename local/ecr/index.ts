/**
 * ECR as far as the framework asks it: `osls remove` looks for the service's image repository
 * (DescribeRepositories) before it deletes the stack. The twin runs no container images, so no repository exists.
 */
import { type AwsJsonService, AwsServiceError, type RequestContext } from '../service';

export class EcrTwin implements AwsJsonService {
  readonly targetPrefix = 'AmazonEC2ContainerRegistry_V20150921';
  readonly jsonVersion = '1.1' as const;

  async handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown> {
    if (operation !== 'DescribeRepositories')
      throw new AwsServiceError('UnknownOperationException', `The twin serves no ECR operation ${operation}`);
    const names = Array.isArray(input['repositoryNames']) ? (input['repositoryNames'] as string[]) : [];
    if (names.length === 0) return { repositories: [] };
    throw new AwsServiceError(
      'RepositoryNotFoundException',
      `The repository with name '${names[0]}' does not exist in the registry with id '${ctx.accountId}'`,
    );
  }
}
