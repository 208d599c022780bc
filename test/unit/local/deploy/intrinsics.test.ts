/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation syntax, not JavaScript */
import { collectRefs, NO_VALUE, resolve, type Scope } from '../../../../local/deploy/intrinsics';

const scope: Scope = {
  region: 'eu-west-1',
  ref: (name) => (name === 'AWS::NoValue' ? NO_VALUE : `ref:${name}`),
  getAtt: (name, attribute) => `${name}.${attribute}`,
  condition: (name) => name === 'IsProd',
  defines: (name) => name === 'Stage',
};

describe('Module: deploy/intrinsics', () => {
  describe('Function: resolve', () => {
    it.each([
      [{ Ref: 'X' }, 'ref:X'],
      [{ 'Fn::GetAtt': 'Fn.Arn' }, 'Fn.Arn'],
      [{ 'Fn::Sub': 'a-${Stage}-${Fn.Arn}-${!Literal}' }, 'a-ref:Stage-Fn.Arn-${Literal}'],
      [{ 'Fn::Sub': ['${N}!', { N: { Ref: 'Y' } }] }, 'ref:Y!'],
      [{ 'Fn::Join': ['/', ['a', 1, true]] }, 'a/1/true'],
      [{ 'Fn::Select': [1, { 'Fn::Split': [',', 'x,y,z'] }] }, 'y'],
      [{ 'Fn::If': ['IsProd', 'big', 'small'] }, 'big'],
      [{ 'Fn::Not': [{ 'Fn::Equals': ['a', 'b'] }] }, true],
      [{ 'Fn::GetAZs': '' }, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']],
      [{ A: 1, B: { Ref: 'AWS::NoValue' } }, { A: 1 }],
      [
        [1, { Ref: 'AWS::NoValue' }, 2],
        [1, 2],
      ],
    ])('resolves %j', (value, expected) => {
      // Act
      const out = resolve(value, scope, 'test');

      // Assess
      expect(out).toEqual(expected);
    });

    it('names what it does not support', () => {
      // Act
      const act = () => resolve({ 'Fn::ImportValue': 'x' }, scope, 'Resources.A');

      // Assess
      expect(act).toThrow('Resources.A: the twin does not support Fn::ImportValue');
    });
  });

  describe('Function: collectRefs', () => {
    it('finds Ref, GetAtt and the variables of Sub that are not its own', () => {
      // Act
      const refs = collectRefs({
        a: { Ref: 'A' },
        b: [{ 'Fn::GetAtt': ['B', 'Arn'] }],
        c: { 'Fn::Sub': ['${C.Arn} ${Own} ${!No}', { Own: { Ref: 'D' } }] },
      });

      // Assess
      expect([...refs].sort()).toEqual(['A', 'B', 'C', 'D']);
    });
  });
});
