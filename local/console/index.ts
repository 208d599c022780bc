/**
 * The twin's console: a web page served by the twin itself at `/_console/` that shows and does on one machine
 * what the AWS consoles show for the services of the twin: Step Functions state machines (graph, Start
 * execution, executions, an execution live with its history and load-test report), Kinesis streams (shards,
 * counters, consumers, the latest records), Kinesis Analytics applications (SQL, inputs and outputs, error
 * stream, Start/Stop), Lambda functions (invocations and their logs) and schedule rules ("Run now").
 *
 * The server side is this folder: JSON routes under `/_console/api/` that read the services' in-process handles,
 * one server-sent event stream (live.ts), and the page and its assets (assets.ts; the page code is in web/).
 * It binds where the twin binds (the twin's one port); routes that change anything accept only requests from the
 * console's own page (http.ts `requireOwnOrigin`).
 */
import type { EventsTwin } from '../events';
import type { KinesisTwin } from '../kinesis';
import type { KinesisAnalyticsTwin } from '../kinesis-analytics';
import type { LambdaTwin } from '../lambda';
import type { RestRoute } from '../service';
import type { StepFunctionsTwin } from '../stepfunctions';
import { FunctionActivity } from './activity';
import { applicationRoutes } from './applications';
import { assetRoutes, CHART_JS_PATH, CONSOLE_PATH } from './assets';
import { functionRoutes } from './functions';
import { LiveEvents } from './live';
import { stepFunctionsRoutes } from './state-machines';
import { streamRoutes } from './streams';

export interface ConsoleOptions {
  kinesis: KinesisTwin;
  kinesisAnalytics?: KinesisAnalyticsTwin;
  lambda?: LambdaTwin;
  stepFunctions: StepFunctionsTwin;
  events?: EventsTwin;
  /** The twin's URL (`http://127.0.0.1:<port>`), known once it listens. */
  endpoint(): string;
  /** The twin's clock, for the times the pages show. */
  now(): number;
}

export class ConsoleService {
  readonly routes: RestRoute[];
  private readonly live: LiveEvents;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly opts: ConsoleOptions) {
    this.live = new LiveEvents(opts.now);
    const activity = new FunctionActivity((name) => this.live.changed('function', name));
    if (opts.lambda) this.unsubscribe.push(opts.lambda.onFunctionLog(activity.onLog));
    this.unsubscribe.push(
      opts.stepFunctions.onExecutionEvent((e) => {
        this.live.changed('execution', e.executionArn);
        this.live.changed('state-machine', e.stateMachineArn);
      }),
    );
    const ownOrigins = (): string[] => {
      const url = new URL(opts.endpoint());
      return [url.origin, `http://localhost:${url.port}`];
    };
    this.routes = [
      ...assetRoutes(),
      {
        method: 'GET',
        path: /^\/_console\/api\/events$/,
        handle: async () => ({
          status: 200,
          headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
          body: this.live.stream(),
        }),
      },
      {
        method: 'GET',
        path: /^\/_console\/api\/overview$/,
        handle: async () => ({
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ endpoint: opts.endpoint(), region: opts.stepFunctions.region, now: opts.now() }),
        }),
      },
      ...stepFunctionsRoutes({ stepFunctions: opts.stepFunctions, ownOrigins, chartJsPath: CHART_JS_PATH }),
      ...streamRoutes({ kinesis: opts.kinesis, lambda: opts.lambda }),
      ...(opts.kinesisAnalytics ? applicationRoutes({ kinesisAnalytics: opts.kinesisAnalytics, ownOrigins }) : []),
      ...functionRoutes({ lambda: opts.lambda, events: opts.events, activity, ownOrigins }),
    ];
  }

  /** `http://127.0.0.1:<port>/_console/`. */
  get url(): string {
    return `${this.opts.endpoint()}${CONSOLE_PATH}`;
  }

  close(): void {
    for (const off of this.unsubscribe) off();
    this.live.close();
  }
}
