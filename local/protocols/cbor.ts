/**
 * CBOR for the AWS JSON services that speak it (Kinesis: the Java SDK and the KCL send
 * `Content-Type: application/x-amz-cbor-1.1` with the same X-Amz-Target).
 *
 * Not yet spoken: such requests are refused with a SerializationException that says how to turn CBOR off.
 */
import { AwsServiceError, type RequestContext } from '../service';
import { isCborRequest, isTargetRequest, jsonError, type TargetTable } from './aws-json';
import { header, type Protocol, type Reply } from './types';

export function cborProtocol(targets: TargetTable): Protocol {
  return {
    name: 'cbor',
    match(req) {
      if (!isTargetRequest(req) || !isCborRequest(req)) return undefined;
      return async (_ctx: RequestContext): Promise<Reply> => {
        targets.resolve(header(req.headers, 'x-amz-target'));
        throw new AwsServiceError(
          'SerializationException',
          'The twin speaks AWS JSON, not CBOR: turn CBOR off in the client (AWS_CBOR_DISABLE=true for the Java SDK and KCL)',
        );
      };
    },
    error(error, req) {
      return jsonError(error, `application/x-amz-json-${targets.versionOf(header(req.headers, 'x-amz-target'))}`);
    },
  };
}
