import { type HelmContext, TemplateSet } from './go-template';

function render(source: string, values: unknown, helpers = ''): string {
  const set = new TemplateSet();
  if (helpers) set.add('_helpers.tpl', helpers);
  set.add('t.yaml', source);
  const context: HelmContext = {
    Values: values,
    Release: { Name: 'r', Namespace: 'ns', Service: 'Helm' },
    Chart: { Name: 'c', Version: '1.0.0', AppVersion: '2.0.0' },
  };
  return set.render('t.yaml', context);
}

describe('the Go-template subset used to check the Helm charts', () => {
  it('trims whitespace like Go templates and skips comments', () => {
    expect(render('a:\n  {{- /* note */ -}}\n  b {{ .Values.x -}} \n c', { x: 1 })).toBe('a:b 1c');
  });

  it('evaluates if / else if / else, with and range (lists, and maps by sorted key) as Go does', () => {
    const template =
      '{{ if .Values.a }}A{{ else if .Values.b }}B{{ else }}C{{ end }}|' +
      '{{ with .Values.m }}{{ .k }}{{ else }}none{{ end }}|' +
      '{{ range .Values.list }}[{{ . }}]{{ else }}empty{{ end }}|' +
      '{{ range .Values.map }}{{ . }}{{ end }}';
    expect(render(template, { a: 0, b: 'yes', m: { k: 'v' }, list: [1, 2], map: { z: 1, a: 2 } })).toBe(
      'B|v|[1][2]|21',
    );
    expect(render(template, { a: '', b: [], m: {}, list: [], map: {} })).toBe('C|none|empty|');
  });

  it('pipes into functions as the last argument and supports parentheses, include and $', () => {
    const helpers =
      '{{- define "name" -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 }}{{- end -}}';
    expect(render('{{ include "name" . | quote }}', {}, helpers)).toBe('"r-c"');
    expect(render('{{ default .Chart.AppVersion .Values.tag }}', { tag: '' })).toBe('2.0.0');
    expect(render('{{ .Values.s | b64enc }}', { s: 'hi' })).toBe('aGk=');
    expect(render('{{ with .Values.m }}{{ $.Release.Name }}{{ end }}', { m: { a: 1 } })).toBe('r');
    expect(render('x:{{ toYaml .Values.m | nindent 2 }}', { m: { a: 1, b: [2] } })).toBe(
      'x:\n  a: 1\n  b:\n    - 2',
    );
    expect(render('{{ printf "%s:%s" .Values.a (default "d" .Values.b) }}', { a: 'x' })).toBe('x:d');
  });

  it('fails where helm would silently print nothing or where the subset ends', () => {
    expect(() => render('{{ .Values.typo }}', {})).toThrow(/has no value/);
    expect(() => render('{{ .Values.a.b }}', {})).toThrow(/nil pointer evaluating \.Values\.a/);
    expect(() => render('{{ .Values.m }}', { m: { a: 1 } })).toThrow(/use toYaml/);
    expect(() => render('{{ upper .Values.a }}', { a: 'x' })).toThrow(/unknown function "upper"/);
    expect(() => render('{{ $x := 1 }}', {})).toThrow(/outside the supported subset/);
    expect(() => render('{{ if .Values.a }}open', { a: 1 })).toThrow(/missing \{\{ end \}\}/);
    expect(() => render('{{ required "give a" .Values.a }}', {})).toThrow(/give a/);
    expect(() => render('{{ include "nope" . }}', {})).toThrow(/unknown template "nope"/);
  });
});
