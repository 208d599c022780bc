/**
 * The twin console's page: a left navigation as in the AWS console, and one page per hash route
 * (`#/state-machines/<arn>`, `#/executions/<arn>`, `#/streams/<name>`, ...). Data comes from /_console/api/ and
 * moves live over its event stream (api.ts).
 */
import './style.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { connection } from './api';
import { ApplicationPage, ApplicationsPage } from './pages/applications';
import { ExecutionPage } from './pages/execution';
import { FunctionPage, FunctionsPage, SchedulesPage } from './pages/functions';
import { StateMachinePage, StateMachinesPage } from './pages/state-machines';
import { StreamPage, StreamsPage } from './pages/streams';

function route(): string[] {
  return location.hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
}

const NAV: [string, string, string][] = [
  ['Step Functions', 'state-machines', 'State machines'],
  ['Kinesis', 'streams', 'Data streams'],
  ['Kinesis Analytics', 'applications', 'SQL applications'],
  ['Lambda', 'functions', 'Functions'],
  ['EventBridge', 'schedules', 'Schedules'],
];

function Page(props: { parts: string[] }) {
  const [section, id] = props.parts;
  switch (section) {
    case 'state-machines':
      return id ? <StateMachinePage arn={id} /> : <StateMachinesPage />;
    case 'executions':
      return <ExecutionPage arn={id ?? ''} />;
    case 'streams':
      return id ? <StreamPage name={id} /> : <StreamsPage />;
    case 'applications':
      return id ? <ApplicationPage name={id} /> : <ApplicationsPage />;
    case 'functions':
      return id ? <FunctionPage name={id} /> : <FunctionsPage />;
    case 'schedules':
      return <SchedulesPage />;
    default:
      return <StateMachinesPage />;
  }
}

function App() {
  const [parts, setParts] = useState(route());
  const [live, setLive] = useState(connection.connected);
  useEffect(() => {
    const onHash = (): void => {
      setParts(route());
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', onHash);
    connection.onChange = setLive;
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const section = parts[0] === 'executions' ? 'state-machines' : (parts[0] ?? 'state-machines');
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href="#/state-machines">
          <span class="logo" /> kinesis-fanout <span class="muted">twin console</span>
        </a>
        <span class="region">{location.host} · us-east-1 · account 000000000000</span>
        <span class={`live ${live ? 'on' : 'off'}`} title={live ? 'Live updates on' : 'Reconnecting to the twin'}>
          <i />
          {live ? 'Live' : 'Offline'}
        </span>
      </header>
      <nav class="sidenav">
        {NAV.map(([service, path, label]) => (
          <div key={path} class="nav-group">
            <div class="nav-service">{service}</div>
            <a class={section === path ? 'active' : ''} href={`#/${path}`}>
              {label}
            </a>
          </div>
        ))}
      </nav>
      <main class="content">
        <Page parts={parts} />
      </main>
    </div>
  );
}

const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
