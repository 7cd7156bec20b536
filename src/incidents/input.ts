import { MESSAGE_MAX, TITLE_MAX } from "./incident";

export type TextResult = { ok: true; value: string } | { ok: false; message: string };

const ID = /^inc_[0-9a-f]{32}$/;

export const isIncidentId = (id: string) => ID.test(id);

/** Trimmed, non-empty, at most `max` characters; `name` is the field the message names. */
function text(value: string | undefined, name: string, max: number): TextResult {
  const trimmed = value?.trim() ?? "";
  if (trimmed === "") return { ok: false, message: `${name} must be a non-empty string.` };
  if (trimmed.length > max) return { ok: false, message: `${name} must be at most ${max} characters.` };
  return { ok: true, value: trimmed };
}

export const parseTitle = (value: string | undefined) => text(value, "title", TITLE_MAX);
export const parseMessage = (value: string | undefined) => text(value, "message", MESSAGE_MAX);
