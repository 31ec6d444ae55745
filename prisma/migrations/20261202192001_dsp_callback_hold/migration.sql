-- A DSP message written while the HTTP answer to the peer's request is still being sent stays unsent until
-- then (ADR 0036): the hold is in the row, so every clearing replica's dispatcher respects it, not only the
-- replica that answers. NULL: not held. A hold lapses by itself at this time if its replica died.
ALTER TABLE "clearing"."dsp_callbacks" ADD COLUMN "held_until" TIMESTAMPTZ(3);
