import { describe, expect, it } from 'vitest';
import { checkEventTypeName, checkEventTypeSchema, checkSchemaName, parseJson } from './jsonSchema';

describe('JSON parsing', () => {
  it('names the line and column of a syntax error', () => {
    const { error } = parseJson('{\n  "type": "object",\n}');
    expect(error?.message).toMatch(/^Invalid JSON at line 3, column 1/);
    expect(error?.line).toBe(3);
  });
  it('reports an unfinished document', () => {
    expect(parseJson('{"a": ').error?.message).toMatch(/^Invalid JSON/);
    expect(parseJson('   ').error?.message).toMatch(/Empty/);
  });
});

describe('event type JSON Schemas', () => {
  it('accepts {} and a typical object schema', () => {
    expect(checkEventTypeSchema('{}')).toMatchObject({ errors: [], value: {} });
    const check = checkEventTypeSchema(JSON.stringify({ type: 'object', properties: { link_text: { type: 'string', minLength: 1 } }, required: ['link_text'], additionalProperties: false }));
    expect(check.errors).toEqual([]);
    expect(check.warnings).toEqual([]);
  });

  it('insists on an object schema, as the server does', () => {
    expect(checkEventTypeSchema('[]').errors[0].message).toMatch(/must be a JSON object/);
    expect(checkEventTypeSchema('{"type": "string"}').errors[0].message).toMatch(/"type" must be "object"/);
  });

  it('checks the shape of common keywords, recursively', () => {
    const messages = checkEventTypeSchema(
      JSON.stringify({
        type: 'object',
        properties: { price: { type: 'money', minimum: '0' }, tags: { type: 'array', items: [{ type: 'string' }] }, code: { pattern: '(' } },
        required: 'price',
      }),
    ).errors.map((e) => e.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/"properties\.price\.type" must be one of/),
        expect.stringMatching(/"properties\.price\.minimum" must be a number/),
        expect.stringMatching(/"properties\.tags\.items" must be a single schema/),
        expect.stringMatching(/"properties\.code\.pattern" is not a valid regular expression/),
        expect.stringMatching(/"required" must be an array/),
      ]),
    );
  });

  it('warns about likely mistakes without blocking', () => {
    const check = checkEventTypeSchema('{"type": "object", "propertes": {}, "properties": {"a": {}}, "required": ["a", "b"]}');
    expect(check.errors).toEqual([]);
    expect(check.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/Unknown keyword "propertes"/), expect.stringMatching(/Required but not described in "properties": b/)]);
  });
});

describe('names', () => {
  it('follows the server rules', () => {
    expect(checkSchemaName('portfolio_events')).toBeNull();
    expect(checkSchemaName('Portfolio')).toMatch(/lowercase/);
    expect(checkSchemaName('a'.repeat(41))).toMatch(/At most 40/);
    expect(checkEventTypeName('page_view', [])).toBeNull();
    expect(checkEventTypeName('9lives', [])).toMatch(/Start with a letter/);
    expect(checkEventTypeName('page_view', ['page_view'])).toMatch(/Another event type/);
  });
});
