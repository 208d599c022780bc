/**
 * The CloudFormation template as deploy reads it (what `osls package` writes), and the error of a deploy that cannot
 * go on.
 */
import { readFileSync } from 'node:fs';

export interface Template {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Parameters?: Record<string, TemplateParameter>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, TemplateOutput>;
}

export interface TemplateParameter {
  Default?: unknown;
  Type?: string;
  Description?: string;
  NoEcho?: boolean | string;
  AllowedValues?: unknown[];
}

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface TemplateOutput {
  Value: unknown;
  Description?: string;
  Condition?: string;
  Export?: { Name: unknown };
}

/** A deploy that cannot go on: names the resource and says why. */
export class DeployError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeployError';
  }
}

/** Reads the template `osls package` wrote. */
export function readTemplate(path: string): Template {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DeployError(`Cannot read the packaged template ${path}: run \`npx osls package\` first`, {
      cause: error,
    });
  }
  return parseTemplate(text);
}

/** Parses a template body (JSON, as the framework sends it) and checks its outline. */
export function parseTemplate(text: string): Template {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DeployError(`Template format error: JSON not well-formed. (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new DeployError('Template format error: the template is not a JSON object');
  const template = parsed as Template;
  if (!template.Resources || typeof template.Resources !== 'object' || Object.keys(template.Resources).length === 0)
    throw new DeployError('Template format error: At least one Resources member must be defined.');
  for (const [id, r] of Object.entries(template.Resources))
    if (!r || typeof r !== 'object' || typeof r.Type !== 'string')
      throw new DeployError(
        `Template format error: [/Resources/${id}] Every Resources object must contain a Type member.`,
      );
  return template;
}
