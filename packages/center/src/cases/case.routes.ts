/**
 * The REST API of cases, applications, supervisions, court orders, devices and tasks (issue 3). Each
 * route is declared once in {@link CASE_ROUTES} (method, path, permission, zod schemas); the same table
 * registers it with Fastify and generates the OpenAPI document.
 */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { requirePermission, type Actor, type Permission } from '../auth/actor.js';
import { parse } from '../http/server.js';
import * as S from './case.schemas.js';
import type { CaseService } from './case.service.js';
import { buildOpenApi } from './openapi.js';
import type { SupervisionService } from './supervision.service.js';

/** One route: what it does, who may call it, and the schemas of its inputs. */
export interface RouteSpec {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  summary: string;
  tag: string;
  permission?: Permission;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status of a success (default 200). */
  status?: number;
}

const spec = <T extends RouteSpec>(s: T) => s;

/** Every route of the cases API. */
export const CASE_ROUTES = {
  createPerson: spec({
    method: 'POST',
    path: '/api/v1/persons',
    summary: 'Register a monitored person (personal data, kept minimal)',
    tag: 'persons',
    permission: 'case.write',
    body: S.CreatePersonBody,
    status: 201,
  }),
  getPerson: spec({
    method: 'GET',
    path: '/api/v1/persons/:id',
    summary: 'A monitored person (visible through a case in your scope)',
    tag: 'persons',
    permission: 'case.read',
    params: S.IdParams,
  }),
  createProtectedPerson: spec({
    method: 'POST',
    path: '/api/v1/protected-persons',
    summary: 'Register a protected person with their written consent (proximity orders)',
    tag: 'persons',
    permission: 'case.write',
    body: S.CreateProtectedPersonBody,
    status: 201,
  }),
  listCases: spec({
    method: 'GET',
    path: '/api/v1/cases',
    summary: 'Cases in your scope, newest first (limit + cursor)',
    tag: 'cases',
    permission: 'case.read',
    query: S.ListCasesQuery,
  }),
  createCase: spec({
    method: 'POST',
    path: '/api/v1/cases',
    summary: 'Open a case (sygnatura akt, court, person, judge, probation officer)',
    tag: 'cases',
    permission: 'case.write',
    body: S.CreateCaseBody,
    status: 201,
  }),
  getCase: spec({
    method: 'GET',
    path: '/api/v1/cases/:id',
    summary: 'A case with its person, applications and supervisions',
    tag: 'cases',
    permission: 'case.read',
    params: S.IdParams,
  }),
  updateCase: spec({
    method: 'PATCH',
    path: '/api/v1/cases/:id',
    summary: 'Assign the judge, probation officer, address or protected person',
    tag: 'cases',
    permission: 'case.write',
    params: S.IdParams,
    body: S.UpdateCaseBody,
  }),
  createApplication: spec({
    method: 'POST',
    path: '/api/v1/cases/:id/applications',
    summary: 'File an application (R1); opens the supervision and the 30-day decision deadline',
    tag: 'applications',
    permission: 'case.write',
    params: S.IdParams,
    body: S.CreateApplicationBody,
    status: 201,
  }),
  getApplication: spec({
    method: 'GET',
    path: '/api/v1/applications/:id',
    summary: 'An application with its latest survey and eligibility check',
    tag: 'applications',
    permission: 'case.read',
    params: S.IdParams,
  }),
  recordSurvey: spec({
    method: 'POST',
    path: '/api/v1/applications/:id/survey',
    summary: 'Record the technical survey of the address (R3)',
    tag: 'applications',
    permission: 'installation.write',
    params: S.IdParams,
    body: S.SurveyBody,
    status: 201,
  }),
  checkEligibility: spec({
    method: 'POST',
    path: '/api/v1/applications/:id/eligibility',
    summary: 'Check eligibility (R2): every condition explained, and what the court must judge',
    tag: 'applications',
    permission: 'case.write',
    params: S.IdParams,
    body: S.EligibilityBody,
  }),
  decide: spec({
    method: 'POST',
    path: '/api/v1/applications/:id/decision',
    summary: 'Record the decision (R3, R4); a grant opens the court order, version 1',
    tag: 'applications',
    permission: 'case.write',
    params: S.IdParams,
    body: S.DecisionBody,
    status: 201,
  }),
  listSupervisions: spec({
    method: 'GET',
    path: '/api/v1/supervisions',
    summary: 'Supervisions in your scope, filtered by status, kind, case or person',
    tag: 'supervisions',
    permission: 'case.read',
    query: S.ListSupervisionsQuery,
  }),
  getSupervision: spec({
    method: 'GET',
    path: '/api/v1/supervisions/:id',
    summary: 'A supervision: status, deadlines, sentence end with its explanation, order, devices, tasks',
    tag: 'supervisions',
    permission: 'case.read',
    params: S.IdParams,
  }),
  reportReadiness: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/readiness',
    summary: 'The person reported readiness for installation (R4)',
    tag: 'supervisions',
    permission: 'installation.write',
    params: S.IdParams,
    body: S.AtBody,
  }),
  install: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/installation',
    summary: 'Installation protocol (R5): devices assigned to the supervision',
    tag: 'devices',
    permission: 'installation.write',
    params: S.IdParams,
    body: S.InstallationBody,
  }),
  activate: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/activation',
    summary: 'Activation protocol (R6): the sentence starts; its end is computed',
    tag: 'devices',
    permission: 'installation.write',
    params: S.IdParams,
    body: S.ActivationBody,
  }),
  startExecution: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/execution',
    summary: 'The probation officer contacted the person (R7): sentence in execution',
    tag: 'supervisions',
    permission: 'supervision.officer',
    params: S.IdParams,
    body: S.AtBody,
  }),
  endServed: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/end',
    summary: 'The sentence is served (R8)',
    tag: 'supervisions',
    permission: 'case.write',
    params: S.IdParams,
    body: S.AtBody,
  }),
  revoke: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/revocation',
    summary: 'The court revoked the permission (R5)',
    tag: 'supervisions',
    permission: 'case.write',
    params: S.IdParams,
    body: S.RevokeBody,
  }),
  assignDevice: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/devices',
    summary: 'Assign one more device (e.g. a replacement) during supervision',
    tag: 'devices',
    permission: 'installation.write',
    params: S.IdParams,
    body: S.AssignDeviceBody,
  }),
  removeDevices: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/removal',
    summary: 'Removal protocol: devices taken back, their assignments end',
    tag: 'devices',
    permission: 'installation.write',
    params: S.IdParams,
    body: S.RemovalBody,
  }),
  approveException: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/schedule-exceptions',
    summary: 'A one-time away window approved by the probation officer',
    tag: 'orders',
    permission: 'supervision.officer',
    params: S.IdParams,
    body: S.ScheduleExceptionBody,
    status: 201,
  }),
  getOrder: spec({
    method: 'GET',
    path: '/api/v1/orders/:id',
    summary: 'A court order with every version',
    tag: 'orders',
    permission: 'case.read',
    params: S.IdParams,
  }),
  amendOrder: spec({
    method: 'POST',
    path: '/api/v1/orders/:id/versions',
    summary: 'Change the order: a new version with who, when and why',
    tag: 'orders',
    permission: 'case.write',
    params: S.IdParams,
    body: S.OrderVersionBody,
    status: 201,
  }),
  myTasks: spec({
    method: 'GET',
    path: '/api/v1/tasks',
    summary: 'Open tasks and deadlines for the signed-in person',
    tag: 'tasks',
    query: S.ListTasksQuery,
  }),
  inForce: spec({
    method: 'GET',
    path: '/api/v1/devices/:id/in-force',
    summary: 'The supervision and the order version a device served at an instant',
    tag: 'devices',
    permission: 'case.read',
    params: S.DeviceParams,
    query: S.InForceQuery,
  }),
} as const satisfies Record<string, RouteSpec>;

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;
/** What a handler receives: the caller and the parsed inputs. */
interface Ctx<T extends RouteSpec> {
  actor: Actor;
  requestId: string;
  params: Infer<T['params']>;
  query: Infer<T['query']>;
  body: Infer<T['body']>;
}
type Handlers = { [K in keyof typeof CASE_ROUTES]: (c: Ctx<(typeof CASE_ROUTES)[K]>) => Promise<unknown> };

/** Registers the cases API and GET /api/v1/openapi.json. */
export function registerCaseRoutes(
  app: FastifyInstance,
  deps: { cases: CaseService; supervisions: SupervisionService },
): void {
  const { cases, supervisions: sv } = deps;
  const handlers: Handlers = {
    createPerson: (c) => cases.createPerson(c.actor, c.body, c.requestId),
    getPerson: (c) => cases.person(c.actor, c.params.id),
    createProtectedPerson: (c) => cases.createProtectedPerson(c.actor, c.body, c.requestId),
    listCases: (c) => cases.listCases(c.actor, c.query),
    createCase: (c) => cases.createCase(c.actor, c.body, c.requestId),
    getCase: (c) => cases.caseDetail(c.actor, c.params.id),
    updateCase: (c) => cases.updateCase(c.actor, c.params.id, c.body, c.requestId),
    createApplication: (c) => cases.createApplication(c.actor, c.params.id, c.body, c.requestId),
    getApplication: (c) => cases.application(c.actor, c.params.id),
    recordSurvey: (c) => cases.recordSurvey(c.actor, c.params.id, c.body, c.requestId),
    checkEligibility: (c) => cases.checkEligibility(c.actor, c.params.id, c.body, c.requestId),
    decide: (c) => cases.decide(c.actor, c.params.id, c.body, c.requestId),
    listSupervisions: (c) => sv.list(c.actor, c.query),
    getSupervision: (c) => sv.detail(c.actor, c.params.id),
    reportReadiness: (c) => sv.reportReadiness(c.actor, c.params.id, c.body.at, c.requestId),
    install: (c) => sv.install(c.actor, c.params.id, c.body, c.requestId),
    activate: (c) => sv.activate(c.actor, c.params.id, c.body, c.requestId),
    startExecution: (c) => sv.startExecution(c.actor, c.params.id, c.body.at, c.requestId),
    endServed: (c) => sv.endServed(c.actor, c.params.id, c.body.at, c.requestId),
    revoke: (c) => sv.revoke(c.actor, c.params.id, c.body, c.requestId),
    assignDevice: (c) => sv.assign(c.actor, c.params.id, c.body, c.requestId),
    removeDevices: (c) => sv.remove(c.actor, c.params.id, c.body, c.requestId),
    approveException: (c) => sv.approveException(c.actor, c.params.id, c.body, c.requestId),
    getOrder: (c) => sv.order(c.actor, c.params.id),
    amendOrder: (c) => sv.amendOrder(c.actor, c.params.id, c.body, c.requestId),
    myTasks: (c) =>
      sv.tasksFor(c.actor, {
        limit: c.query.limit,
        cursor: c.query.cursor,
        overdue: c.query.overdue === 'true',
      }),
    inForce: (c) => sv.inForceForDevice(c.actor, c.params.id, c.query.at ? new Date(c.query.at) : new Date()),
  };

  for (const [name, s] of Object.entries(CASE_ROUTES) as [keyof Handlers, RouteSpec][]) {
    const handler = handlers[name] as (c: Ctx<RouteSpec>) => Promise<unknown>;
    app.route({
      method: s.method,
      url: s.path,
      handler: async (req, reply) => {
        if (s.permission) requirePermission(req.actor, s.permission);
        const ctx: Ctx<RouteSpec> = {
          actor: req.actor,
          requestId: req.id,
          params: s.params ? parse(s.params, req.params) : undefined,
          query: s.query ? parse(s.query, req.query) : undefined,
          body: s.body ? parse(s.body, req.body ?? {}) : undefined,
        };
        const result = await handler(ctx);
        return reply.status(s.status ?? 200).send(result);
      },
    });
  }

  const doc = buildOpenApi();
  app.get('/api/v1/openapi.json', async () => doc);
}
