import { Argument, type Command } from 'commander';
import { DECLARATIVE_KINDS, KIND_INFO } from '@lattice/domain';
import type { CliIo } from '../io';

/** Each command path ("cluster register") with its options, read from the program itself. */
function commandTree(program: Command): { path: string; options: string[] }[] {
  const walk = (command: Command, prefix: string[]): { path: string; options: string[] }[] =>
    command.commands.flatMap((child) => {
      const path = [...prefix, child.name()];
      const options = child.options.flatMap((option) =>
        [option.long, option.short].filter((flag): flag is string => !!flag),
      );
      return [{ path: path.join(' '), options: [...options, '--help'] }, ...walk(child, path)];
    });
  return walk(program, []);
}

const KIND_WORDS = DECLARATIVE_KINDS.flatMap((kind) => [KIND_INFO[kind].plural, ...KIND_INFO[kind].aliases]);

/** A bash completion script: commands, subcommands, options and kind names. zsh loads it through bashcompinit. */
export function bashCompletion(program: Command): string {
  const tree = commandTree(program);
  const top = tree.filter((entry) => !entry.path.includes(' ')).map((entry) => entry.path);
  const known = tree.map((entry) => `"${entry.path}"`).join('|');
  const cases = tree
    .map((entry) => {
      const children = tree
        .filter(
          (other) =>
            other.path.startsWith(`${entry.path} `) &&
            other.path.split(' ').length === entry.path.split(' ').length + 1,
        )
        .map((other) => other.path.split(' ').at(-1));
      const words = [
        ...children,
        ...entry.options,
        ...(['get', 'describe', 'delete'].includes(entry.path) ? KIND_WORDS : []),
      ];
      return `    "${entry.path}") words="${words.join(' ')}" ;;`;
    })
    .join('\n');
  return `# lattice shell completion (bash; zsh: autoload -U +X bashcompinit && bashcompinit first)
_lattice_completion() {
  local cur path next word words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path=""
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    [[ "$word" == -* ]] && continue
    if [[ -z "$path" ]]; then next="$word"; else next="$path $word"; fi
    case "$next" in ${known}) path="$next" ;; esac
  done
  case "$path" in
    "") words="${top.join(' ')} --context --help --version" ;;
${cases}
    *) words="" ;;
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
  if [[ \${#COMPREPLY[@]} -eq 0 ]]; then COMPREPLY=( $(compgen -f -- "$cur") ); fi
}
complete -o default -F _lattice_completion lattice
`;
}

export function registerCompletion(program: Command, io: CliIo): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(lattice completion bash)')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: string) => {
      const script = bashCompletion(program);
      io.out(shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${script}` : script);
    });
}
