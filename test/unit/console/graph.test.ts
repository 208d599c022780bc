import { describeRule, END, START, stateGraph } from '../../../local/console/graph';

const definition = {
  StartAt: 'Check',
  States: {
    Check: {
      Type: 'Choice',
      Choices: [{ Variable: '$.n', NumericGreaterThan: 0, Next: 'Fan' }],
      Default: 'Done',
    },
    Fan: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: {
        StartAt: 'Work',
        States: {
          Work: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:w', Next: 'Again' },
          Again: {
            Type: 'Choice',
            Choices: [{ Variable: '$.more', BooleanEquals: true, Next: 'Work' }],
            Default: 'Stop',
          },
          Stop: { Type: 'Succeed' },
        },
      },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }],
      Next: 'Done',
    },
    Failed: { Type: 'Fail', Error: 'E' },
    Done: { Type: 'Succeed' },
  },
};

describe('Function: stateGraph', () => {
  it('draws every state once, Map states as boxes of their inner states, with Start and End', async () => {
    // Act
    const graph = await stateGraph(JSON.stringify(definition));
    // Assess
    const byId = Object.fromEntries(graph.nodes.map((n) => [n.id, n]));
    expect(Object.keys(byId).sort()).toEqual(
      [END, START, 'Again', 'Check', 'Done', 'Failed', 'Fan', 'Stop', 'Work'].sort(),
    );
    expect(byId['Fan']).toMatchObject({ type: 'Map', container: true });
    expect(byId['Work']).toMatchObject({ parent: 'Fan', subtitle: 'Lambda: Invoke' });
    // inner states sit inside their box
    const fan = byId['Fan']!;
    for (const inner of ['Work', 'Again', 'Stop']) {
      const n = byId[inner]!;
      expect(n.x).toBeGreaterThanOrEqual(fan.x);
      expect(n.y).toBeGreaterThanOrEqual(fan.y);
      expect(n.x + n.width).toBeLessThanOrEqual(fan.x + fan.width);
      expect(n.y + n.height).toBeLessThanOrEqual(fan.y + fan.height);
    }
  });

  it('has Next, Choice, Default and Catch edges, a loop drawn from its source to its target', async () => {
    // Act
    const graph = await stateGraph(JSON.stringify(definition));
    // Assess
    const edges = graph.edges.map((e) => `${e.kind} ${e.from}->${e.to}${e.label ? ` [${e.label}]` : ''}`).sort();
    expect(edges).toEqual(
      [
        `next ${START}->Check`,
        'choice Check->Fan [$.n > 0]',
        'default Check->Done [Default]',
        'next Fan->Done',
        'catch Fan->Failed [Catch States.ALL]',
        'next Work->Again',
        'choice Again->Work [$.more == true]',
        'default Again->Stop [Default]',
        `next Failed->${END}`,
        `next Done->${END}`,
      ].sort(),
    );
    const loop = graph.edges.find((e) => e.from === 'Again' && e.to === 'Work')!;
    const again = graph.nodes.find((n) => n.id === 'Again')!;
    const work = graph.nodes.find((n) => n.id === 'Work')!;
    // the points run from Again to Work (the arrow head at Work)
    const first = loop.points[0]!;
    const last = loop.points.at(-1)!;
    const near = (p: { x: number; y: number }, n: typeof again) =>
      p.x >= n.x - 1 && p.x <= n.x + n.width + 1 && p.y >= n.y - 1 && p.y <= n.y + n.height + 1;
    expect(near(first, again)).toBe(true);
    expect(near(last, work)).toBe(true);
  });
});

describe('Function: describeRule', () => {
  it('says a rule in a few words', () => {
    expect(describeRule({ Variable: '$.s', StringEquals: 'READY', Next: 'x' })).toBe('$.s == "READY"');
    expect(
      describeRule({
        Or: [{ Variable: '$.a', NumericLessThanEqualsPath: '$.b' }, { Not: { Variable: '$.c', IsPresent: true } }],
        Next: 'x',
      }),
    ).toBe('$.a <= $.b or not ($.c IsPresent true)');
  });
});
