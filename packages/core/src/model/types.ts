/**
 * The service model Dockside validates and serialises against: a compact, JSON form of the
 * Smithy schemas that the pinned `@aws-sdk/client-*` packages ship. Generated at build time by
 * `dockside-model` (see ./generate.ts) so that start-up never loads an AWS SDK.
 */
export type PrimitiveType = 'string' | 'number' | 'boolean' | 'timestamp' | 'blob' | 'document';

/** A reference to a shape: a primitive, a named shape, or an inline list/map of primitives. */
export type ShapeRef = PrimitiveType | { shape: string } | InlineList | InlineMap;
export interface InlineList {
  type: 'list';
  member: ShapeRef;
}
export interface InlineMap {
  type: 'map';
  value: ShapeRef;
}

/** AWS's length (strings, lists, maps), range (numbers) and pattern (strings) traits of a value. */
export interface Constraint {
  min?: number;
  max?: number;
  /** AWS's pattern (as its messages quote it), matched against the whole value as AWS does. */
  pattern?: string;
  /** The same pattern as JavaScript runs it, where the text differs (Java-only escapes). */
  jsPattern?: string;
  /** The constraints of a list's items. */
  items?: Constraint;
}

/** A service's constraints, by structure shape and member, and by list shape (its items). */
export interface ConstraintTable {
  /** Where the table was generated from (botocore version and file). */
  source: string;
  apiVersion: string;
  structures: Record<string, Record<string, Constraint>>;
  lists: Record<string, Constraint>;
}

export interface MemberDef {
  ref: ShapeRef;
  /** Length, range and pattern constraints, where the constraint table has them. */
  constraint?: Constraint;
  /** Allowed values where the model declares an enum for this member (or its list items). */
  enum?: string[];
  sensitive?: true;
  /** EC2 query: the input parameter name (`ec2QueryName` trait), e.g. `Filter` for `Filters`. */
  queryName?: string;
  /** The XML element name (`xmlName` trait), e.g. `vpcSet`, or `item` for EC2 list members. */
  xmlName?: string;
  /** REST protocols: where the member travels instead of the JSON body (HTTP binding traits). */
  http?: HttpBinding;
  /** The SDK fills it with a fresh UUID when the caller leaves it out (`idempotencyToken`). */
  idempotencyToken?: true;
}

/** A member's HTTP binding in a REST protocol. */
export interface HttpBinding {
  /** A `{Label}` of the operation's URI. */
  label?: true;
  /** A query-string parameter of this name. */
  query?: string;
  /** Every query parameter not bound otherwise (a map member). */
  queryParams?: true;
  /** A header of this name (or, for a map, this prefix). */
  header?: string;
  /** The whole body. */
  payload?: true;
  /** Output: the HTTP status code. */
  responseCode?: true;
}

export type ShapeDef =
  | { type: 'structure'; members: Record<string, MemberDef>; required: string[]; union?: true }
  | { type: 'list'; member: MemberDef }
  | { type: 'map'; value: MemberDef }
  | { type: 'primitive'; of: PrimitiveType; sensitive?: true };

export interface ErrorDef {
  fault: 'client' | 'server';
  httpStatus: number;
  /** awsQuery error code (`awsQueryError` trait), when it differs from the shape name. */
  queryCode?: string;
  queryHttpStatus?: number;
}

export interface OperationDef {
  input: string | null;
  output: string | null;
  /** REST protocols: the request line and the success status (`http` trait). */
  http?: { method: string; uri: string; code: number };
}

/** How the service is reached, as the SDK client is configured (read at generation time). */
export interface ProtocolInfo {
  protocol: 'awsJson1_0' | 'awsJson1_1' | 'awsQuery' | 'restJson1' | 'ec2Query' | 'restXml';
  signingName: string;
  targetPrefix?: string;
  apiVersion?: string;
  xmlNamespace?: string;
}

export interface ServiceModel {
  sdkPackage: string;
  sdkVersion: string;
  namespace: string;
  protocol?: ProtocolInfo;
  /** Where the constraints merged into members came from, when a table was given. */
  constraintSource?: string;
  operations: Record<string, OperationDef>;
  shapes: Record<string, ShapeDef>;
  errors: Record<string, ErrorDef>;
}
