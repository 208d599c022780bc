/**
 * An AWS API model (the botocore JSON of shared/reference/aws-api-models/, without its documentation: see
 * strip.ts) as the twin reads it: operations, their input and output shapes, and the shapes' constraints.
 * One model per service, kept beside it as `api-model.json`; the validator, the CBOR codec and the protocols
 * read the same object.
 */

export interface ShapeRef {
  shape: string;
  /** The XML protocols' names and placement (query, rest-xml): see xml.ts. */
  locationName?: string;
  location?: string;
  flattened?: boolean;
  xmlAttribute?: boolean;
  xmlNamespace?: { uri: string; prefix?: string };
  resultWrapper?: string;
}

export interface Shape {
  type:
    | 'structure'
    | 'list'
    | 'map'
    | 'string'
    | 'blob'
    | 'boolean'
    | 'integer'
    | 'long'
    | 'float'
    | 'double'
    | 'timestamp';
  required?: string[];
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  /** Event streams (SubscribeToShard's output) are not walked. */
  eventstream?: boolean;
  /** The XML protocols' (xml.ts). */
  flattened?: boolean;
  payload?: string;
  timestampFormat?: string;
  locationName?: string;
}

export interface OperationSpec {
  input?: ShapeRef;
  output?: ShapeRef;
  http?: { method: string; requestUri: string };
}

/** The JSON file as botocore has it (documentation stripped), typed loosely enough for `import model from`. */
export interface ModelJson {
  metadata?: Record<string, unknown>;
  operations: Record<string, unknown>;
  shapes: Record<string, unknown>;
}

export class ApiModel {
  readonly shapes: Readonly<Record<string, Shape>>;
  readonly operations: Readonly<Record<string, OperationSpec>>;

  constructor(json: ModelJson) {
    this.shapes = json.shapes as Record<string, Shape>;
    this.operations = json.operations as Record<string, OperationSpec>;
  }

  /** Operations the model defines, e.g. `PutRecord`. */
  get operationNames(): string[] {
    return Object.keys(this.operations);
  }

  isOperation(operation: string): boolean {
    return Object.hasOwn(this.operations, operation);
  }

  shape(name: string): Shape {
    const shape = this.shapes[name];
    if (!shape) throw new Error(`api-model.json has no shape ${name}`);
    return shape;
  }

  /** The input shape's name, undefined when the operation takes none. */
  inputOf(operation: string): string | undefined {
    return this.operations[operation]?.input?.shape;
  }

  outputOf(operation: string): string | undefined {
    return this.operations[operation]?.output?.shape;
  }

  /**
   * False when the operation has no output shape: AWS answers those with an empty 200 body (an output shape with
   * no members is answered `{}`).
   */
  hasOutput(operation: string): boolean {
    return this.outputOf(operation) !== undefined;
  }
}
