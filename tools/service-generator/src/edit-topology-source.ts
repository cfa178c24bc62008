// Writes a plan into the source of the topology file: appends the new zone, service, calls and edge route to
// their arrays, adds admissions and zone joins to the entries they change, and formats the result with the
// repository's prettier settings. Positions come from the TypeScript parser, not from patterns in the text.
import { format, resolveConfig } from 'prettier';
import ts from 'typescript';

import { GeneratorError } from './generator-error.js';
import type { ServicePlan } from './plan-service.js';

interface Insertion {
  readonly at: number;
  readonly text: string;
}

/** The edited source of `file` (its path is used to find the prettier settings). */
export async function editTopologySource(source: string, file: string, plan: ServicePlan): Promise<string> {
  const root = topologyObject(ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true));
  const insertions: Insertion[] = [];
  const newZone = plan.newZone;
  if (newZone !== undefined) {
    // A new zone is written whole, with the services it admits.
    const admits = plan.admissions.filter((a) => a.zone === newZone.name).map((a) => a.service);
    insertions.push(
      append(arrayProperty(root, 'zones'), admits.length === 0 ? newZone : { ...newZone, admits }),
    );
  }
  for (const { zone, service } of plan.admissions) {
    if (zone === newZone?.name) continue;
    insertions.push(appendToEntry(arrayProperty(root, 'zones'), zone, 'admits', service));
  }
  for (const { service, zone } of plan.joins) {
    insertions.push(appendToEntry(arrayProperty(root, 'services'), service, 'zones', zone));
  }
  insertions.push(append(arrayProperty(root, 'services'), plan.service));
  for (const call of plan.calls) insertions.push(append(arrayProperty(root, 'calls'), call));
  if (plan.edgeRoute !== undefined)
    insertions.push(append(arrayProperty(root, 'edgeRoutes'), plan.edgeRoute));

  // Several insertions may share a position (two calls at the end of `calls`): keep their order.
  const ordered = insertions.map((insertion, index) => ({ ...insertion, index }));
  ordered.sort((a, b) => b.at - a.at || b.index - a.index);
  let edited = source;
  for (const { at, text } of ordered) edited = `${edited.slice(0, at)}${text}${edited.slice(at)}`;
  const options = (await resolveConfig(file)) ?? {};
  return format(edited, { ...options, filepath: file });
}

function topologyObject(file: ts.SourceFile): ts.ObjectLiteralExpression {
  let found: ts.ObjectLiteralExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (
      found === undefined &&
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'defineTopology'
    ) {
      const [argument] = node.arguments;
      if (argument !== undefined && ts.isObjectLiteralExpression(argument)) found = argument;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (found === undefined) {
    throw new GeneratorError('step_failed', `${file.fileName} has no defineTopology({ ... }) call to edit`);
  }
  return found;
}

function propertyNamed(object: ts.ObjectLiteralExpression, name: string): ts.PropertyAssignment | undefined {
  return object.properties.find(
    (property): property is ts.PropertyAssignment =>
      ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && property.name.text === name,
  );
}

function arrayProperty(object: ts.ObjectLiteralExpression, name: string): ts.ArrayLiteralExpression {
  const initializer = propertyNamed(object, name)?.initializer;
  if (initializer === undefined || !ts.isArrayLiteralExpression(initializer)) {
    throw new GeneratorError('step_failed', `the topology's \`${name}\` is not an array literal`);
  }
  return initializer;
}

/** Appends `value` as the array's last element. */
function append(array: ts.ArrayLiteralExpression, value: unknown): Insertion {
  const last = array.elements.at(-1);
  const text = JSON.stringify(value);
  return last === undefined ? { at: array.elements.pos, text } : { at: last.end, text: `, ${text}` };
}

/** Appends `value` to the array `field` of the entry whose `name` is `entry`, creating the field if needed. */
function appendToEntry(
  array: ts.ArrayLiteralExpression,
  entry: string,
  field: string,
  value: string,
): Insertion {
  const object = array.elements.find(
    (element): element is ts.ObjectLiteralExpression =>
      ts.isObjectLiteralExpression(element) &&
      (() => {
        const name = propertyNamed(element, 'name')?.initializer;
        return name !== undefined && ts.isStringLiteral(name) && name.text === entry;
      })(),
  );
  if (object === undefined) throw new GeneratorError('step_failed', `the topology has no entry "${entry}"`);
  const existing = propertyNamed(object, field)?.initializer;
  if (existing !== undefined) {
    if (!ts.isArrayLiteralExpression(existing)) {
      throw new GeneratorError('step_failed', `\`${field}\` of "${entry}" is not an array literal`);
    }
    return append(existing, value);
  }
  const last = object.properties.at(-1);
  const text = `${field}: ${JSON.stringify([value])}`;
  return last === undefined ? { at: object.properties.pos, text } : { at: last.end, text: `, ${text}` };
}
