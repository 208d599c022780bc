/** Kinesis Analytics (SQL applications): the applications, one application (SQL, inputs, outputs, errors). */
import { useState } from 'preact/hooks';
import { postJson, useResource } from '../api';
import { SqlBlock } from '../sql';
import { Badge, Card, fmtNumber, fmtTime, href, JsonBlock, KeyValues, Loading, PageHeader, Problem } from '../ui';

interface Summary {
  ApplicationName: string;
  ApplicationARN: string;
  ApplicationStatus: string;
  errorCount: number;
}

type Json = Record<string, unknown>;

interface Detail {
  ApplicationName: string;
  ApplicationARN: string;
  ApplicationStatus: string;
  ApplicationVersionId: number;
  ApplicationDescription?: string;
  ApplicationCode?: string;
  CreateTimestamp?: number;
  LastUpdateTimestamp?: number;
  InputDescriptions?: Json[];
  OutputDescriptions?: Json[];
}

interface ErrorReport {
  ErrorCount: number;
  Errors: Json[];
  Metrics: Json | null;
}

const seconds = (v: unknown): number | undefined => (typeof v === 'number' ? v * 1000 : undefined);

export function ApplicationsPage() {
  const { data, error } = useResource<{ applications: Summary[] }>('applications', (k) => k === 'tick');
  return (
    <>
      <PageHeader
        crumbs={[
          ['Kinesis Analytics', undefined],
          ['SQL applications', undefined],
        ]}
        title="SQL applications"
      />
      <Problem error={error} />
      <Card title={`Applications (${data?.applications.length ?? 0})`}>
        {!data ? (
          <Loading />
        ) : data.applications.length === 0 ? (
          <p class="muted">
            No application: the lifecycle creates them and tears them down; start it with {'"keep": true'} to keep them.
          </p>
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th>Application name</th>
                <th>Status</th>
                <th>Error-stream rows</th>
              </tr>
            </thead>
            <tbody>
              {data.applications.map((a) => (
                <tr key={a.ApplicationName}>
                  <td>
                    <a href={href('applications', a.ApplicationName)}>{a.ApplicationName}</a>
                  </td>
                  <td>
                    <Badge status={a.ApplicationStatus} />
                  </td>
                  <td class="num">{fmtNumber(a.errorCount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}

function Inputs(props: { inputs: Json[] }) {
  return (
    <>
      {props.inputs.map((i) => {
        const stream = (i['KinesisStreamsInputDescription'] as Json | undefined)?.['ResourceARN'] as string | undefined;
        const schema = i['InputSchema'] as { RecordColumns?: Json[]; RecordFormat?: Json } | undefined;
        const parallelism = (i['InputParallelism'] as Json | undefined)?.['Count'];
        const position = (i['InputStartingPositionConfiguration'] as Json | undefined)?.['InputStartingPosition'];
        return (
          <div key={String(i['InputId'])} class="io">
            <KeyValues
              items={[
                ['Input ID', String(i['InputId'])],
                [
                  'Source',
                  stream ? (
                    <a key="s" href={href('streams', stream.split('/').pop()!)}>
                      {stream.split('/').pop()}
                    </a>
                  ) : (
                    '–'
                  ),
                ],
                [
                  'In-application stream',
                  `${String(i['NamePrefix'])}_001${parallelism && Number(parallelism) > 1 ? ` … _${String(parallelism).padStart(3, '0')}` : ''}`,
                ],
                ['Record format', String((schema?.RecordFormat?.['RecordFormatType'] as string | undefined) ?? '–')],
                ['Starting position', String(position ?? '–')],
              ]}
            />
            {schema?.RecordColumns ? (
              <table class="table compact">
                <thead>
                  <tr>
                    <th>Column</th>
                    <th>SQL type</th>
                    <th>Mapping</th>
                  </tr>
                </thead>
                <tbody>
                  {schema.RecordColumns.map((c) => (
                    <tr key={String(c['Name'])}>
                      <td>
                        <code>{String(c['Name'])}</code>
                      </td>
                      <td>{String(c['SqlType'])}</td>
                      <td>
                        <code>{String(c['Mapping'] ?? '')}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
          </div>
        );
      })}
    </>
  );
}

function Outputs(props: { outputs: Json[] }) {
  return (
    <table class="table">
      <thead>
        <tr>
          <th>In-application stream</th>
          <th>Destination</th>
          <th>Format</th>
        </tr>
      </thead>
      <tbody>
        {props.outputs.map((o) => {
          const arn =
            ((o['KinesisStreamsOutputDescription'] as Json | undefined)?.['ResourceARN'] as string | undefined) ??
            ((o['LambdaOutputDescription'] as Json | undefined)?.['ResourceARN'] as string | undefined) ??
            ((o['KinesisFirehoseOutputDescription'] as Json | undefined)?.['ResourceARN'] as string | undefined);
          const name = arn?.split(/[/:]/).pop() ?? '–';
          return (
            <tr key={String(o['OutputId'])}>
              <td>
                <code>{String(o['Name'])}</code>
              </td>
              <td>{arn?.includes(':kinesis:') ? <a href={href('streams', name)}>{name}</a> : name}</td>
              <td>{String((o['DestinationSchema'] as Json | undefined)?.['RecordFormatType'] ?? '–')}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function ApplicationPage(props: { name: string }) {
  const { data, error, reload } = useResource<{ detail: Detail; errors: ErrorReport }>(
    `applications/${encodeURIComponent(props.name)}`,
    (k) => k === 'tick',
  );
  const [position, setPosition] = useState('NOW');
  const [actionError, setActionError] = useState<Error | undefined>(undefined);
  const act = async (what: 'start' | 'stop'): Promise<void> => {
    setActionError(undefined);
    try {
      await postJson(
        `applications/${encodeURIComponent(props.name)}/${what}`,
        what === 'start' ? { startingPosition: position } : {},
      );
      reload();
    } catch (e) {
      setActionError(e as Error);
    }
  };
  const d = data?.detail;
  return (
    <>
      <PageHeader
        crumbs={[
          ['Kinesis Analytics', undefined],
          ['SQL applications', href('applications')],
          [props.name, undefined],
        ]}
        title={
          <>
            {props.name} {d ? <Badge status={d.ApplicationStatus} /> : null}
          </>
        }
        actions={
          d ? (
            <>
              <select
                value={position}
                onChange={(e) => setPosition((e.target as HTMLSelectElement).value)}
                disabled={d.ApplicationStatus !== 'READY'}
              >
                <option value="NOW">Start at NOW</option>
                <option value="TRIM_HORIZON">Start at TRIM_HORIZON</option>
                <option value="LAST_STOPPED_POINT">Start at LAST_STOPPED_POINT</option>
              </select>
              <button
                type="button"
                class="btn primary"
                disabled={d.ApplicationStatus !== 'READY'}
                onClick={() => act('start')}
              >
                Run application
              </button>
              <button
                type="button"
                class="btn"
                disabled={d.ApplicationStatus !== 'RUNNING'}
                onClick={() => act('stop')}
              >
                Stop application
              </button>
            </>
          ) : null
        }
      />
      <Problem error={error ?? actionError} />
      {!d || !data ? (
        error ? null : (
          <Loading />
        )
      ) : (
        <>
          <Card title="Application details">
            <KeyValues
              items={[
                ['ARN', <code key="a">{d.ApplicationARN}</code>],
                ['Status', <Badge key="s" status={d.ApplicationStatus} />],
                ['Version', String(d.ApplicationVersionId)],
                ['Description', d.ApplicationDescription || '–'],
                ['Created', fmtTime(seconds(d.CreateTimestamp))],
                ['Last updated', fmtTime(seconds(d.LastUpdateTimestamp))],
              ]}
            />
          </Card>
          <Card title="Real-time analytics: application code (SQL)">
            {d.ApplicationCode ? <SqlBlock code={d.ApplicationCode} /> : <p class="muted">No code.</p>}
          </Card>
          <div class="two-col">
            <Card title={`Source (${d.InputDescriptions?.length ?? 0})`}>
              <Inputs inputs={d.InputDescriptions ?? []} />
            </Card>
            <Card title={`Destinations (${d.OutputDescriptions?.length ?? 0})`}>
              <Outputs outputs={d.OutputDescriptions ?? []} />
            </Card>
          </div>
          <Card title={`Error stream (${fmtNumber(data.errors.ErrorCount)} rows since the twin started)`}>
            {data.errors.Errors.length === 0 ? (
              <p class="muted">No row went to error_stream.</p>
            ) : (
              <table class="table">
                <thead>
                  <tr>
                    <th>ERROR_TIME</th>
                    <th>ERROR_LEVEL</th>
                    <th>ERROR_NAME</th>
                    <th>MESSAGE</th>
                    <th>DATA_ROW</th>
                    <th>PUMP_NAME</th>
                  </tr>
                </thead>
                <tbody>
                  {data.errors.Errors.slice()
                    .reverse()
                    .map((e, i) => (
                      <tr key={i}>
                        <td class="nowrap">
                          {fmtTime(typeof e['ERROR_TIME'] === 'number' ? e['ERROR_TIME'] : undefined)}
                        </td>
                        <td>{String(e['ERROR_LEVEL'] ?? '')}</td>
                        <td>{String(e['ERROR_NAME'] ?? '')}</td>
                        <td>{String(e['MESSAGE'] ?? '')}</td>
                        <td>
                          <code class="preview">{String(e['DATA_ROW'] ?? '')}</code>
                        </td>
                        <td>{String(e['PUMP_NAME'] ?? '')}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            )}
            {data.errors.Metrics ? (
              <details>
                <summary>Counters of the running application</summary>
                <JsonBlock text={JSON.stringify(data.errors.Metrics)} />
              </details>
            ) : null}
          </Card>
        </>
      )}
    </>
  );
}
