/**
 * The REST API of cases, applications, supervisions, court orders, devices and tasks (issue 3). Each
 * route is declared once in `CASE_ROUTES` of `@sde/api` (method, path, permission, zod schemas); this
 * module binds the handlers, and the same table generates the OpenAPI document.
 */
import { CASE_ROUTES, OPENAPI_ROUTES } from '@sde/api';
import { settingsProblems } from '@sde/domain';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { registerTable, type Handlers } from '../http/route-table.js';
import { validationError } from '../http/server.js';
import type { CaseService } from './case.service.js';
import { buildOpenApi } from './openapi.js';
import type { SupervisionService } from './supervision.service.js';

/**
 * The engine's rules between an order's settings (domain `settingsProblems`), checked after the body's
 * schema and before the service writes: refused as a schema error would be, naming the setting.
 */
function checkSettings(settings: Parameters<typeof settingsProblems>[0], at: string): void {
  const problems = settingsProblems(settings);
  if (problems.length > 0) {
    throw validationError(problems.map((p) => ({ path: `${at}.${p.path}`, message: p.message })));
  }
}

/** Registers the cases API and GET /api/v1/openapi.json. */
export function registerCaseRoutes(
  app: FastifyInstance,
  deps: { cases: CaseService; supervisions: SupervisionService; db: Kysely<DB> },
): void {
  const { cases, supervisions: sv } = deps;
  const handlers: Handlers<typeof CASE_ROUTES> = {
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
    decide: (c) => {
      checkSettings(c.body.order?.monitoringSettings, 'order.monitoringSettings');
      return cases.decide(c.actor, c.params.id, c.body, c.requestId);
    },
    listSupervisions: (c) => sv.list(c.actor, c.query),
    getSupervision: (c) => sv.detail(c.actor, c.params.id),
    reportReadiness: (c) => sv.reportReadiness(c.actor, c.params.id, c.body, c.requestId),
    install: (c) => sv.install(c.actor, c.params.id, c.body, c.requestId),
    activate: (c) => sv.activate(c.actor, c.params.id, c.body, c.requestId),
    startExecution: (c) => sv.startExecution(c.actor, c.params.id, c.body.at, c.requestId),
    endServed: (c) => sv.endServed(c.actor, c.params.id, c.body.at, c.requestId),
    revoke: (c) => sv.revoke(c.actor, c.params.id, c.body, c.requestId),
    assignDevice: (c) => sv.assign(c.actor, c.params.id, c.body, c.requestId),
    removeDevices: (c) => sv.remove(c.actor, c.params.id, c.body, c.requestId),
    approveException: (c) => sv.approveException(c.actor, c.params.id, c.body, c.requestId),
    getOrder: (c) => sv.order(c.actor, c.params.id),
    amendOrder: (c) => {
      checkSettings(c.body.monitoringSettings, 'monitoringSettings');
      return sv.amendOrder(c.actor, c.params.id, c.body, c.requestId);
    },
    myTasks: (c) =>
      sv.tasksFor(c.actor, {
        limit: c.query.limit,
        cursor: c.query.cursor,
        overdue: c.query.overdue === 'true',
      }),
    inForce: (c) => sv.inForceForDevice(c.actor, c.params.id, c.query.at ? new Date(c.query.at) : new Date()),
  };

  registerTable(app, CASE_ROUTES, handlers, deps);
  const doc = buildOpenApi();
  registerTable(app, OPENAPI_ROUTES, { openapi: () => doc }, deps);
}
