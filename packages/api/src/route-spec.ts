/**
 * The shape of a route table entry (ADR 0402): data and zod schemas only, no handler. The center binds a
 * handler to each entry and enforces it (`registerTable`); the console types its calls from it; the
 * OpenAPI document is generated from it.
 */
import type { z } from 'zod';
import type { Permission } from './permissions.js';

/** Kinds of records a path or a reference can name; each has a scope rule in the center. */
export type ObjectKind =
  | 'case'
  | 'application'
  | 'supervision'
  | 'order'
  | 'alarm'
  | 'person'
  | 'protected_person'
  | 'device'
  | 'judge'
  | 'probation_officer'
  | 'court'
  | 'region';

/** An id in a body or query that must name a record in the caller's scope. `field` is a dotted path; `[]` walks arrays. */
export interface RefSpec {
  from: 'body' | 'query';
  field: string;
  kind: ObjectKind;
}

/** One route: what it does, who may call it, the schemas of its inputs and answer, its scope and audit rules. */
export interface RouteSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  summary: string;
  tag: string;
  /** The permission the caller needs. Exactly one of `permission` and `access` is given. */
  permission?: Permission;
  /** A route without a permission: reachable by anyone (`public`) or by any signed-in caller. */
  access?: 'public' | 'signed-in';
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /**
   * The JSON answer of a success. Strict (`z.strictObject`) where the center's presenter is an allow-list
   * of what a role may see, so a field added to the answer without the policy fails the tests
   * (`trust-routes-responses.test.ts`). Absent for routes whose answer is not JSON (a stream, a file, text).
   */
  response?: z.ZodType;
  /** The object the path names; outside the caller's scope (or missing) it answers 404. */
  scope?: { param: string; kind: ObjectKind };
  /**
   * The court of a record being created (e.g. a case's `courtId`): it must be the caller's, and references
   * must fall within its jurisdiction. Outside the caller's scope: 403 (the caller knows their own court).
   */
  target?: { from: 'body'; field: string; kind: 'court' };
  /** Ids in the body or query; each outside the caller's scope answers 404, as if it did not exist. */
  refs?: readonly RefSpec[];
  /** A successful answer carries personal data: recorded as a read in the audit log (never the values). */
  audit?: { action: string; entity: string; list?: boolean };
  /** The handler writes the answer itself (a stream, a file); the table still checks everything first. */
  raw?: boolean;
  /** Body limit in bytes when above the server's default. */
  bodyLimit?: number;
  /** Status of a success (default 200). */
  status?: number;
}

/** Declares one route, keeping its literal type for the handler's inputs and the console's calls. */
export const spec = <T extends RouteSpec>(s: T) => s;

type Infer<T, IO extends 'in' | 'out'> = T extends z.ZodType
  ? IO extends 'in'
    ? z.input<T>
    : z.output<T>
  : undefined;

/** What a route answers (its response schema's output). */
export type AnswerOf<T extends RouteSpec> = Infer<T['response'], 'out'>;
/** What a caller sends as the body of a route (its body schema's input: defaults may be left out). */
export type BodyOf<T extends RouteSpec> = Infer<T['body'], 'in'>;
/** The parsed inputs a handler receives. */
export type ParsedParams<T extends RouteSpec> = Infer<T['params'], 'out'>;
export type ParsedQuery<T extends RouteSpec> = Infer<T['query'], 'out'>;
export type ParsedBody<T extends RouteSpec> = Infer<T['body'], 'out'>;
