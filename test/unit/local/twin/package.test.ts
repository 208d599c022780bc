import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { artifactProblems, hashInputs } from '../../../../local/package';

describe('Module: package', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'package-'));
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, '.serverless'));
    writeFileSync(join(dir, 'serverless.yml'), 'service: s\n');
    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('Function: hashInputs', () => {
    it('changes when a packaged input changes, and not for files packaging does not read', () => {
      // Prepare
      const before = hashInputs(dir);

      // Act
      writeFileSync(join(dir, 'README.md'), 'not an input\n');
      const unrelated = hashInputs(dir);
      writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 2;\n');
      const edited = hashInputs(dir);

      // Assess
      expect(unrelated).toBe(before);
      expect(edited).not.toBe(before);
      expect(hashInputs(dir, 'prod')).not.toBe(edited);
    });
  });

  describe('Function: artifactProblems', () => {
    const template = (handler: string): string => {
      const path = join(dir, '.serverless', 'template.json');
      writeFileSync(
        path,
        JSON.stringify({
          Resources: {
            Fn: {
              Type: 'AWS::Lambda::Function',
              Properties: { Handler: handler, Code: { S3Bucket: 'b', S3Key: 'serverless/s/dev/1/fn.zip' } },
            },
          },
        }),
      );
      return path;
    };

    it('accepts a zip that holds the handler file', () => {
      // Prepare
      writeFileSync(join(dir, '.serverless', 'fn.zip'), zipSync({ 'handlers/fn.js': strToU8('exports.handler=1') }));

      // Act
      const problems = artifactProblems(template('handlers/fn.handler'));

      // Assess
      expect(problems).toEqual([]);
    });

    it('names a missing zip and a zip without the handler (what a spoiled package leaves)', () => {
      // Prepare
      const path = template('handlers/fn.handler');
      const missing = artifactProblems(path);
      writeFileSync(join(dir, '.serverless', 'fn.zip'), zipSync({}));

      // Act
      const empty = artifactProblems(path);

      // Assess
      expect(missing).toEqual([expect.stringMatching(/^Fn: .*fn\.zip is missing$/)]);
      expect(empty).toEqual([
        expect.stringMatching(/^Fn: .*fn\.zip does not hold handlers\/fn\.js \(it holds 0 files\)$/),
      ]);
    });
  });
});
