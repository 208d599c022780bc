import { defaultIteration, executionModel, type HistoryEvent } from '../../../web/src/model/execution';

let id = 0;
function ev(type: string, details?: Record<string, unknown>, key?: string): HistoryEvent {
  id++;
  const e: HistoryEvent = { id, previousEventId: id - 1, timestamp: 1000 + id, type };
  if (details) e[key ?? `${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`] = details;
  return e;
}
const entered = (type: string, name: string) =>
  ev(`${type}StateEntered`, { name, input: '{}' }, 'stateEnteredEventDetails');
const exited = (type: string, name: string, output = '{}') =>
  ev(`${type}StateExited`, { name, output }, 'stateExitedEventDetails');

describe('Function: executionModel', () => {
  beforeEach(() => {
    id = 0;
  });

  it('marks states that exited as succeeded, the one running as in progress', () => {
    // Prepare
    const events = [
      ev('ExecutionStarted', { input: '{}' }),
      entered('Pass', 'A'),
      exited('Pass', 'A', '{"a":1}'),
      entered('Task', 'B'),
    ];
    // Act
    const model = executionModel(events, {}, new Map());
    // Assess
    expect(model.states.get('A')).toMatchObject({ status: 'SUCCEEDED', output: '{"a":1}' });
    expect(model.states.get('B')).toMatchObject({ status: 'IN_PROGRESS' });
  });

  it('calls a state that never exited before its Catch target was entered a caught error, and a failed run failed', () => {
    // Prepare
    const events = [
      entered('Task', 'Work'),
      ev('LambdaFunctionFailed', { error: 'Boom', cause: 'it broke' }),
      entered('Task', 'Cleanup'),
      exited('Task', 'Cleanup'),
      entered('Fail', 'Failed'),
      ev('ExecutionFailed', { error: 'Boom', cause: 'it broke' }),
    ];
    // Act
    const model = executionModel(events, {}, new Map());
    // Assess
    expect(model.states.get('Work')).toMatchObject({ status: 'CAUGHT_ERROR', error: 'Boom', cause: 'it broke' });
    expect(model.states.get('Cleanup')?.status).toBe('SUCCEEDED');
    expect(model.states.get('Failed')?.status).toBe('FAILED');
  });

  it('keeps the states of each Map iteration apart, by the iteration of each event', () => {
    // Prepare: two iterations interleaved, the second fails
    const events = [
      entered('Map', 'Apps'),
      ev('MapIterationStarted', { name: 'Apps', index: 0 }),
      ev('MapIterationStarted', { name: 'Apps', index: 1 }),
      entered('Task', 'Create'), // 5: iteration 0
      entered('Task', 'Create'), // 6: iteration 1
      exited('Task', 'Create'), // 7: iteration 0
      ev('MapIterationSucceeded', { name: 'Apps', index: 0 }),
      ev('MapIterationFailed', { name: 'Apps', index: 1, error: 'E', cause: 'C' }),
      ev('MapStateFailed'),
      ev('ExecutionFailed', { error: 'E', cause: 'C' }),
    ];
    const iterations = { 4: 0, 5: 1, 6: 0 };
    // Act
    const model = executionModel(events, iterations, new Map([['Create', 'Apps']]));
    // Assess
    const its = model.iterations.get('Apps')!;
    expect(its.get(0)?.status).toBe('SUCCEEDED');
    expect(its.get(0)?.states.get('Create')?.status).toBe('SUCCEEDED');
    expect(its.get(1)).toMatchObject({ status: 'FAILED', error: 'E' });
    expect(its.get(1)?.states.get('Create')?.status).toBe('FAILED');
    expect(model.states.get('Apps')?.status).toBe('FAILED');
    expect(model.states.has('Create')).toBe(false);
    expect(defaultIteration(its)).toBe(1);
  });

  it('counts the entries of a state in a loop and shows the last', () => {
    // Prepare
    const events = [
      entered('Task', 'Describe'),
      exited('Task', 'Describe', '"1"'),
      entered('Wait', 'Wait'),
      exited('Wait', 'Wait'),
      entered('Task', 'Describe'),
    ];
    // Act
    const model = executionModel(events, {}, new Map());
    // Assess
    expect(model.states.get('Describe')).toMatchObject({ entered: 2, status: 'IN_PROGRESS' });
    expect(model.states.get('Wait')?.status).toBe('SUCCEEDED');
  });

  it('calls what was running when the execution was aborted cancelled', () => {
    // Prepare
    const events = [entered('Wait', 'Pause'), ev('ExecutionAborted', {})];
    // Act
    const model = executionModel(events, {}, new Map());
    // Assess
    expect(model.states.get('Pause')?.status).toBe('CANCELLED');
  });
});
