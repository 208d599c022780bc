/**
 * The SDK's own request and response types (@aws-sdk/client-kinesis-analytics) as they meet the twin's operations:
 * a request is validated against the API model before an operation sees it, so its required members are there
 * (the SDK types them `T | undefined`); a response is what the twin writes, timestamps in epoch seconds as AWS
 * JSON 1.1 carries them.
 */
import type * as Api from '@aws-sdk/client-kinesis-analytics';

type OptionalKeys<T> = { [K in keyof T]-?: Record<string, never> extends Pick<T, K> ? K : never }[keyof T];
type RequiredKeys<T> = Exclude<keyof T, OptionalKeys<T>>;

/**
 * An SDK request shape after validation: required members present, nulls dropped (the model treats a null member as
 * absent), timestamps as the client sent them (epoch seconds or an ISO-8601 string).
 */
export type Validated<T> = T extends Date
  ? number | string
  : T extends readonly (infer U)[]
    ? Validated<U>[]
    : T extends object
      ? { [K in RequiredKeys<T>]: Validated<Exclude<T[K], undefined>> } & {
          [K in OptionalKeys<T>]?: Validated<Exclude<T[K], undefined>>;
        }
      : T;

/** An SDK response shape as the twin writes it: timestamps as epoch seconds. */
export type Wire<T> = T extends Date
  ? number
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** Request and response of every operation the twin serves, by name. */
export interface OperationShapes {
  CreateApplication: [Api.CreateApplicationRequest, Api.CreateApplicationResponse];
  DescribeApplication: [Api.DescribeApplicationRequest, Api.DescribeApplicationResponse];
  ListApplications: [Api.ListApplicationsRequest, Api.ListApplicationsResponse];
  UpdateApplication: [Api.UpdateApplicationRequest, Api.UpdateApplicationResponse];
  StartApplication: [Api.StartApplicationRequest, Api.StartApplicationResponse];
  StopApplication: [Api.StopApplicationRequest, Api.StopApplicationResponse];
  DeleteApplication: [Api.DeleteApplicationRequest, Api.DeleteApplicationResponse];
  AddApplicationInput: [Api.AddApplicationInputRequest, Api.AddApplicationInputResponse];
  AddApplicationOutput: [Api.AddApplicationOutputRequest, Api.AddApplicationOutputResponse];
  DeleteApplicationOutput: [Api.DeleteApplicationOutputRequest, Api.DeleteApplicationOutputResponse];
  AddApplicationInputProcessingConfiguration: [
    Api.AddApplicationInputProcessingConfigurationRequest,
    Api.AddApplicationInputProcessingConfigurationResponse,
  ];
  DeleteApplicationInputProcessingConfiguration: [
    Api.DeleteApplicationInputProcessingConfigurationRequest,
    Api.DeleteApplicationInputProcessingConfigurationResponse,
  ];
  AddApplicationReferenceDataSource: [
    Api.AddApplicationReferenceDataSourceRequest,
    Api.AddApplicationReferenceDataSourceResponse,
  ];
  DeleteApplicationReferenceDataSource: [
    Api.DeleteApplicationReferenceDataSourceRequest,
    Api.DeleteApplicationReferenceDataSourceResponse,
  ];
  AddApplicationCloudWatchLoggingOption: [
    Api.AddApplicationCloudWatchLoggingOptionRequest,
    Api.AddApplicationCloudWatchLoggingOptionResponse,
  ];
  DeleteApplicationCloudWatchLoggingOption: [
    Api.DeleteApplicationCloudWatchLoggingOptionRequest,
    Api.DeleteApplicationCloudWatchLoggingOptionResponse,
  ];
  TagResource: [Api.TagResourceRequest, Api.TagResourceResponse];
  UntagResource: [Api.UntagResourceRequest, Api.UntagResourceResponse];
  ListTagsForResource: [Api.ListTagsForResourceRequest, Api.ListTagsForResourceResponse];
  DiscoverInputSchema: [Api.DiscoverInputSchemaRequest, Api.DiscoverInputSchemaResponse];
}

export type OperationName = keyof OperationShapes;
export type RequestOf<K extends OperationName> = Validated<OperationShapes[K][0]>;
export type ResponseOf<K extends OperationName> = Wire<OperationShapes[K][1]>;

/** The same value without its null members, at any depth (after validation, a null member means "absent"). */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (member !== null) out[key] = withoutNulls(member);
  return out;
}

/** A wire timestamp (epoch seconds, or an ISO-8601 string) in epoch milliseconds. */
export function epochMs(value: number | string): number {
  return typeof value === 'number' ? value * 1000 : Date.parse(value);
}

/** Epoch milliseconds as the wire carries them: epoch seconds. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}
