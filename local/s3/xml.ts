/** S3's XML both ways: answers encoded by the S3 API model's shapes, request bodies read with fast-xml-parser. */
import { XMLParser } from 'fast-xml-parser';
import { ApiModel } from '../api-model/model';
import { encodeXmlMembers } from '../api-model/xml';
import type { RestResponse } from '../service';
import json from './api-model.json';
import { s3Error } from './errors';

const model = new ApiModel(json);
const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'Object' });

/** A 200 answer whose body is `<root xmlns=S3>` and the members of `output` as the API model's `shape` says. */
export function xmlAnswer(
  root: string,
  shape: string,
  output: unknown,
  headers: Record<string, string> = {},
): RestResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', ...headers },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NS}">${encodeXmlMembers(model, shape, output)}</${root}>`,
  };
}

/** A request body as a tree (`<Delete><Object><Key>..` -> `{Delete: {Object: [{Key}]}}`); MalformedXML when not XML. */
export function readXml(body: Buffer): Record<string, unknown> {
  try {
    const parsed = parser.parse(body.toString('utf8'), true) as unknown;
    if (!parsed || typeof parsed !== 'object') throw new Error('no element');
    return parsed as Record<string, unknown>;
  } catch {
    throw s3Error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  }
}
