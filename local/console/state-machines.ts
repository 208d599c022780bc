/**
 * The Step Functions pages' API: state machines (their graph and executions), Start execution, an execution (its
 * graph, status, history with the Map iteration of each state event, and the load-test report when it holds one),
 * Stop execution. Reads the Step Functions twin in process; starting and stopping go through its validated
 * operations, as StartExecution/StopExecution on the wire would.
 */
import * as z from 'zod';
import { renderReportHtml } from '../../src/load-test/report-html';
import { findReport, reportFromHistory } from '../../src/load-test/report-source';
import type { LoadTestReport } from '../../src/load-test/types';
import type { RestRoute } from '../service';
import type { Execution, StepFunctionsTwin } from '../stepfunctions';
import { REPORT_HEADERS } from './assets';
import { stateGraph } from './graph';
import { badRequest, bodyOf, intParam, json, notFound, requireOwnOrigin } from './http';
import type { ExecutionSummary, MachineDetailAnswer, StateMachineListAnswer } from './state-machines-api';

export interface StepFunctionsContext {
  stepFunctions: StepFunctionsTwin;
  ownOrigins(): string[];
  chartJsPath: string;
}

/** Step Functions' own limit on an execution input. */
const MAX_INPUT_BYTES = 256 * 1024;

const StartBody = z.object({
  input: z.string().max(MAX_INPUT_BYTES, 'the input is over 256 KiB, the Step Functions limit'),
  name: z.string().optional(),
});

function summary(e: Execution): ExecutionSummary {
  return {
    executionArn: e.arn,
    name: e.name,
    stateMachineArn: e.stateMachineArn,
    status: e.status,
    startDate: e.startDate,
    ...(e.stopDate !== undefined ? { stopDate: e.stopDate } : {}),
  };
}

/** The report of a finished execution: in its output, or (failed on its verdict) in the LoadTest state's output. */
function reportOf(e: Execution): LoadTestReport | undefined {
  return findReport(e.output) ?? (e.status === 'RUNNING' ? undefined : reportFromHistory(e.history.events));
}

export function stepFunctionsRoutes(ctx: StepFunctionsContext): RestRoute[] {
  const sfn = ctx.stepFunctions;
  const execution = (arn: string): Execution => {
    const e = sfn.store.executions.get(arn);
    if (!e) throw notFound(`Execution ${arn}`);
    return e;
  };
  return [
    {
      method: 'GET',
      path: /^\/_console\/api\/state-machines$/,
      handle: async () => {
        const executions = sfn.listAllExecutions();
        return json({
          stateMachines: [...sfn.store.machines.values()]
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((m) => {
              const own = executions.filter((e) => e.stateMachineArn === m.arn);
              const latest = own.reduce<Execution | undefined>(
                (l, e) => (!l || e.startDate > l.startDate ? e : l),
                undefined,
              );
              return {
                stateMachineArn: m.arn,
                name: m.name,
                type: m.type,
                creationDate: m.creationDate,
                executions: own.length,
                running: own.filter((e) => e.status === 'RUNNING').length,
                ...(latest ? { latest: summary(latest) } : {}),
              };
            }),
        } satisfies StateMachineListAnswer);
      },
    },
    {
      method: 'GET',
      path: /^\/_console\/api\/state-machines\/(?<arn>[^/]+)$/,
      handle: async ({ params }) => {
        const arn = params['arn']!;
        const m = sfn.store.machines.get(arn);
        if (!m) throw notFound(`State machine ${arn}`);
        return json({
          stateMachineArn: m.arn,
          name: m.name,
          type: m.type,
          creationDate: m.creationDate,
          roleArn: m.revision.roleArn,
          revisionId: m.revision.revisionId,
          definition: m.revision.definition,
          graph: await stateGraph(m.revision.definition),
          executions: sfn
            .listAllExecutions()
            .filter((e) => e.stateMachineArn === m.arn)
            .sort((a, b) => b.startDate - a.startDate)
            .map(summary),
        } satisfies MachineDetailAnswer);
      },
    },
    {
      method: 'POST',
      path: /^\/_console\/api\/state-machines\/(?<arn>[^/]+)\/executions$/,
      handle: async (req) => {
        requireOwnOrigin(req, ctx.ownOrigins());
        const body = bodyOf(req, StartBody);
        try {
          JSON.parse(body.input);
        } catch (error) {
          throw badRequest(`The input is not valid JSON: ${(error as Error).message}`);
        }
        const out = sfn.startExecution({
          stateMachineArn: req.params['arn']!,
          input: body.input,
          ...(body.name ? { name: body.name } : {}),
        });
        return json({ executionArn: out.executionArn, startDate: +new Date(out.startDate) });
      },
    },
    {
      method: 'GET',
      path: /^\/_console\/api\/executions\/(?<arn>[^/]+)$/,
      handle: async ({ params, query }) => {
        const e = execution(params['arn']!);
        const since = intParam(query, 'since', 0, 0, Number.MAX_SAFE_INTEGER);
        const events = e.history.events.filter((ev) => ev.id > since);
        const iterations: Record<string, number> = {};
        for (const ev of events) {
          const i = e.history.iterationOf.get(ev.id);
          if (i !== undefined) iterations[ev.id] = i;
        }
        const machine = sfn.store.machines.get(e.stateMachineArn);
        const report = reportOf(e);
        return json({
          ...summary(e),
          stateMachineName: machine?.name ?? e.stateMachineArn.split(':').pop(),
          input: e.input,
          ...(e.output !== undefined ? { output: e.output } : {}),
          ...(e.error !== undefined ? { error: e.error } : {}),
          ...(e.cause !== undefined ? { cause: e.cause } : {}),
          revisionId: e.revision.revisionId,
          // the graph only with the first page of events: it never changes for an execution
          ...(since === 0 ? { graph: await stateGraph(e.revision.definition) } : {}),
          events,
          iterations,
          report: report ? { verdict: report.verdict, runId: report.runId } : null,
        });
      },
    },
    {
      method: 'GET',
      path: /^\/_console\/api\/executions\/(?<arn>[^/]+)\/report$/,
      handle: async ({ params }) => {
        const report = reportOf(execution(params['arn']!));
        if (!report) throw notFound('A load-test report in this execution');
        return {
          status: 200,
          headers: REPORT_HEADERS,
          body: renderReportHtml(report, { chartJsSrc: ctx.chartJsPath }),
        };
      },
    },
    {
      method: 'POST',
      path: /^\/_console\/api\/executions\/(?<arn>[^/]+)\/stop$/,
      handle: async (req) => {
        requireOwnOrigin(req, ctx.ownOrigins());
        const out = sfn.stopExecution({
          executionArn: req.params['arn']!,
          error: 'Console.Stopped',
          cause: 'Stopped from the twin console',
        });
        return json({ stopDate: +new Date(out.stopDate) });
      },
    },
  ];
}
