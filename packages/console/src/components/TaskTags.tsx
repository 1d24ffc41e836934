/** The name of a task and its deadline state (overdue, due soon, without delay), as every task list shows them. */
import { useI18n } from '../i18n.js';
import { taskName, type MessageKey } from '../lib/messages.js';
import { taskState } from '../lib/tasks.js';
import type { TaskAnswer as Task } from '@sde/api';

/** The task's short name in the reader's language; the center's own sentence for a code the console lacks. */
export function TaskName({ task }: { task: Task }) {
  const { lang, pick } = useI18n();
  return <strong className="task-name">{taskName(task.code, lang) ?? pick(task)}</strong>;
}

/** A tag for a task that is overdue, due soon or to be done without delay; nothing for one due later. */
export function TaskStateTag({ task }: { task: Task }) {
  const { t } = useI18n();
  const state = taskState(task);
  if (state === 'due_later') return null;
  return (
    <strong className={`task-state task-${state}`} data-testid="task-state" data-state={state}>
      {t(`taskState.${state}` as MessageKey)}
    </strong>
  );
}

/** Who must do the task. */
export function responsibleName(t: (k: MessageKey) => string, responsible: string): string {
  const key = `responsible.${responsible}` as MessageKey;
  const text = t(key);
  return text === key ? responsible.replace(/_/g, ' ') : text;
}
