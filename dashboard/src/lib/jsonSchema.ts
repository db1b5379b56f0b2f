/**
 * Client-side checks of an event type's JSON Schema, as the user types: JSON syntax (with line
 * and column), the shape of the common JSON Schema keywords, and the server's own rules (an
 * object schema). The server validates fully (Draft 2020-12); this catches most mistakes early.
 */

export interface Problem {
  message: string;
  /** JSON pointer-ish path inside the schema, e.g. "properties.price.minimum" */
  path?: string;
  line?: number;
  column?: number;
}

export interface SchemaCheck {
  value: Record<string, unknown> | null;
  errors: Problem[];
  warnings: Problem[];
}

export const EVENT_TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]{0,99}$/;
export const SCHEMA_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
export const SCHEMA_NAME_MAX = 40;
export const MAX_DESCRIPTION = 2000;

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
const SCHEMA_KEYWORDS = ['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'if', 'then', 'else', 'unevaluatedProperties', 'unevaluatedItems', 'additionalItems', 'contentSchema'];
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const NON_NEGATIVE = ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'minContains', 'maxContains'];
const NUMBERS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];
const STRINGS = ['title', 'description', '$comment', 'format', '$id', '$schema', '$ref', '$anchor', '$dynamicRef', '$dynamicAnchor', 'contentEncoding', 'contentMediaType'];
const OTHER_KNOWN = ['type', 'required', 'enum', 'const', 'default', 'examples', 'pattern', 'uniqueItems', 'dependentRequired', 'readOnly', 'writeOnly', 'deprecated', '$vocabulary'];
const KNOWN = new Set([...SCHEMA_KEYWORDS, ...SCHEMA_MAPS, ...SCHEMA_LISTS, ...NON_NEGATIVE, ...NUMBERS, ...STRINGS, ...OTHER_KNOWN]);

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Line and column (1-based) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/** JSON.parse with a readable message that names the line and column. */
export function parseJson(text: string): { value: unknown; error: Problem | null } {
  if (!text.trim()) return { value: undefined, error: { message: 'Empty: write {} to accept any properties.' } };
  try {
    return { value: JSON.parse(text), error: null };
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    const lc = /line (\d+) column (\d+)/.exec(raw);
    const pos = /position (\d+)/.exec(raw);
    let where: { line: number; column: number } | null = null;
    if (lc) where = { line: Number(lc[1]), column: Number(lc[2]) };
    else if (pos) where = lineColumn(text, Number(pos[1]));
    else if (/end of (JSON|data) input/i.test(raw)) where = lineColumn(text, text.length);
    const reason = raw
      .replace(/^JSON\.parse: /, '')
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/ at line \d+ column \d+.*$/, '')
      .replace(/\s*\(line \d+ column \d+\)/, '');
    return {
      value: undefined,
      error: {
        message: `Invalid JSON${where ? ` at line ${where.line}, column ${where.column}` : ''}: ${reason}`,
        ...(where ?? {}),
      },
    };
  }
}

function checkSchema(schema: unknown, path: string, errors: Problem[], warnings: Problem[]): void {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (typeof schema === 'boolean') return;
  if (!isPlainObject(schema)) {
    errors.push({ path: path || undefined, message: `${path || 'The schema'} must be a JSON Schema (an object or true/false), not ${kind(schema)}.` });
    return;
  }
  for (const [key, value] of Object.entries(schema)) {
    const where = at(key);
    if (key === 'type') {
      const list = Array.isArray(value) ? value : [value];
      if (list.length === 0 || list.some((t) => typeof t !== 'string' || !TYPES.has(t))) {
        errors.push({ path: where, message: `"${where}" must be one of ${[...TYPES].join(', ')} (or a list of them).` });
      }
    } else if (SCHEMA_KEYWORDS.includes(key)) {
      if (key === 'items' && Array.isArray(value)) {
        errors.push({ path: where, message: `"${where}" must be a single schema; use "prefixItems" for a list (JSON Schema 2020-12).` });
      } else checkSchema(value, where, errors, warnings);
    } else if (SCHEMA_MAPS.includes(key)) {
      if (!isPlainObject(value)) errors.push({ path: where, message: `"${where}" must be an object mapping names to schemas, not ${kind(value)}.` });
      else for (const [name, sub] of Object.entries(value)) checkSchema(sub, `${where}.${name}`, errors, warnings);
      if (key === 'patternProperties' && isPlainObject(value)) {
        for (const pattern of Object.keys(value)) {
          try {
            new RegExp(pattern, 'u');
          } catch {
            errors.push({ path: `${where}.${pattern}`, message: `"${pattern}" in "${where}" is not a valid regular expression.` });
          }
        }
      }
    } else if (SCHEMA_LISTS.includes(key)) {
      if (!Array.isArray(value) || value.length === 0) errors.push({ path: where, message: `"${where}" must be a non-empty array of schemas.` });
      else value.forEach((sub, i) => checkSchema(sub, `${where}[${i}]`, errors, warnings));
    } else if (NON_NEGATIVE.includes(key)) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) errors.push({ path: where, message: `"${where}" must be a whole number ≥ 0.` });
    } else if (NUMBERS.includes(key)) {
      if (typeof value !== 'number') errors.push({ path: where, message: `"${where}" must be a number, not ${kind(value)}.` });
      else if (key === 'multipleOf' && value <= 0) errors.push({ path: where, message: `"${where}" must be greater than 0.` });
    } else if (STRINGS.includes(key)) {
      if (typeof value !== 'string') errors.push({ path: where, message: `"${where}" must be a string, not ${kind(value)}.` });
    } else if (key === 'required') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
        errors.push({ path: where, message: `"${where}" must be an array of property names (strings).` });
      } else {
        if (new Set(value).size !== value.length) errors.push({ path: where, message: `"${where}" lists a property twice.` });
        const props = schema.properties;
        if (isPlainObject(props)) {
          const missing = (value as string[]).filter((name) => !(name in props));
          if (missing.length) warnings.push({ path: where, message: `Required but not described in "properties": ${missing.join(', ')}.` });
        }
      }
    } else if (key === 'enum') {
      if (!Array.isArray(value)) errors.push({ path: where, message: `"${where}" must be an array of allowed values.` });
    } else if (key === 'pattern') {
      if (typeof value !== 'string') errors.push({ path: where, message: `"${where}" must be a string.` });
      else {
        try {
          new RegExp(value, 'u');
        } catch {
          errors.push({ path: where, message: `"${where}" is not a valid regular expression.` });
        }
      }
    } else if (key === 'uniqueItems' || key === 'readOnly' || key === 'writeOnly' || key === 'deprecated') {
      if (typeof value !== 'boolean') errors.push({ path: where, message: `"${where}" must be true or false.` });
    } else if (key === 'dependentRequired') {
      if (!isPlainObject(value) || Object.values(value).some((v) => !Array.isArray(v) || v.some((x) => typeof x !== 'string'))) {
        errors.push({ path: where, message: `"${where}" must map property names to arrays of property names.` });
      }
    } else if (!KNOWN.has(key)) {
      warnings.push({ path: where, message: `Unknown keyword "${where}" is ignored by validation. A typo?` });
    }
  }
}

/** Checks the JSON Schema of one event type's properties, given as text. */
export function checkEventTypeSchema(text: string): SchemaCheck {
  const parsed = parseJson(text);
  if (parsed.error) return { value: null, errors: [parsed.error], warnings: [] };
  const value = parsed.value;
  if (!isPlainObject(value)) {
    return {
      value: null,
      errors: [{ message: `The definition must be a JSON object (write {} to accept any properties), not ${kind(value)}.` }],
      warnings: [],
    };
  }
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  if ('type' in value && value.type !== 'object') {
    errors.push({ path: 'type', message: `Event properties are an object, so "type" must be "object", not ${JSON.stringify(value.type)}.` });
  }
  checkSchema(value, '', errors, warnings);
  // Avoid reporting the root "type" twice.
  const unique = errors.filter((e, i) => errors.findIndex((o) => o.path === e.path) === i);
  return { value: unique.length ? null : value, errors: unique, warnings };
}

export function checkEventTypeName(name: string, others: string[]): string | null {
  if (!name.trim()) return 'Give the event type a name.';
  if (!EVENT_TYPE_PATTERN.test(name)) return "Start with a letter; use letters, digits, '_', '.', ':' or '-' (at most 100).";
  if (others.includes(name)) return 'Another event type has this name.';
  return null;
}

export function checkSchemaName(name: string): string | null {
  if (!name) return 'Give the schema a name.';
  if (!SCHEMA_NAME_PATTERN.test(name)) return 'Start with a lowercase letter; use lowercase letters, digits and underscores.';
  if (name.length > SCHEMA_NAME_MAX) return `At most ${SCHEMA_NAME_MAX} characters.`;
  return null;
}
