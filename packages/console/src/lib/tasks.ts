/** Open tasks as terminals show them: their deadline state, named in the domain's vocabulary. */
import type { TaskDeadlineState } from '../../../domain/src/lifecycle.js';
import type { TaskAnswer as Task } from '@sde/api';

export type { TaskDeadlineState };

/**
 * The deadline state of a task from the center's answer: `overdue` and `dueSoon` are derived by the center
 * when the list is read (docs/deadlines.md); a task without a due instant is to be done without delay.
 */
export function taskState(task: Pick<Task, 'overdue' | 'dueSoon' | 'dueAt'>): TaskDeadlineState {
  if (task.overdue) return 'overdue';
  if (task.dueSoon) return 'due_soon';
  return task.dueAt === null ? 'without_delay' : 'due_later';
}
