import { dependencyGraph, walk } from '../../../../local/deploy/graph';
import type { Template } from '../../../../local/deploy/template';

const template = (resources: Template['Resources'], outputs?: Template['Outputs']): Template => ({
  Resources: resources,
  ...(outputs ? { Outputs: outputs } : {}),
});

describe('Module: deploy/graph', () => {
  describe('Function: dependencyGraph', () => {
    it('orders every resource after what it refers to (DependsOn, Ref, GetAtt, Sub)', () => {
      // Prepare
      const t = template({
        Machine: {
          Type: 'T',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation syntax
          Properties: { Definition: { 'Fn::Sub': '${Fn.Arn}' }, Role: { Ref: 'Role' } },
        },
        Fn: { Type: 'T', DependsOn: 'Logs', Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
        Role: { Type: 'T' },
        Logs: { Type: 'T' },
      });

      // Act
      const graph = dependencyGraph(t);

      // Assess
      const at = (id: string) => graph.order.indexOf(id);
      expect(at('Role')).toBeLessThan(at('Fn'));
      expect(at('Logs')).toBeLessThan(at('Fn'));
      expect(at('Fn')).toBeLessThan(at('Machine'));
      expect(graph.dependencies.get('Machine')).toEqual(expect.arrayContaining(['Fn', 'Role']));
    });

    it('names a cycle', () => {
      // Prepare
      const t = template({
        A: { Type: 'T', Properties: { X: { Ref: 'B' } } },
        B: { Type: 'T', Properties: { X: { Ref: 'A' } } },
      });

      // Act
      const act = () => dependencyGraph(t);

      // Assess
      expect(act).toThrow('Circular dependency between resources: A -> B -> A');
    });

    it('refuses an unresolved reference in an output, before anything is made', () => {
      // Prepare
      const t = template({ A: { Type: 'T' } }, { Out: { Value: { 'Fn::GetAtt': ['Nope', 'Arn'] } } });

      // Act
      const act = () => dependencyGraph(t);

      // Assess
      expect(act).toThrow(
        'Template format error: Unresolved resource dependencies [Nope] in the Outputs block of the template (Out)',
      );
    });
  });

  describe('Function: walk', () => {
    const chain = template({
      A: { Type: 'T' },
      B: { Type: 'T', DependsOn: 'A' },
      C: { Type: 'T', DependsOn: 'B' },
    });

    it('runs dependents after their dependencies, and the reverse when deleting', async () => {
      // Prepare
      const graph = dependencyGraph(chain);
      const created: string[] = [];
      const deleted: string[] = [];

      // Act
      await walk(graph, ['A', 'B', 'C'], async (id) => {
        created.push(id);
      });
      await walk(
        graph,
        ['A', 'B', 'C'],
        async (id) => {
          deleted.push(id);
        },
        { reverse: true },
      );

      // Assess
      expect(created).toEqual(['A', 'B', 'C']);
      expect(deleted).toEqual(['C', 'B', 'A']);
    });

    it('starts nothing after a failure and throws it', async () => {
      // Prepare
      const graph = dependencyGraph(chain);
      const ran: string[] = [];

      // Act
      const error = await walk(graph, ['A', 'B', 'C'], async (id) => {
        ran.push(id);
        if (id === 'B') throw new Error('B broke');
      }).catch((e: unknown) => e);

      // Assess
      expect((error as Error).message).toBe('B broke');
      expect(ran).toEqual(['A', 'B']);
    });
  });
});
