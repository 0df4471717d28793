-- +goose Up
-- A campaign unit's own end of the self-inspection and on-site phases
-- (督查阶段延期): the owner extends or reopens a phase for one unit
-- without moving it for the others. '' follows the campaign's dates.
ALTER TABLE campaign_units ADD COLUMN self_until TEXT NOT NULL DEFAULT '';
ALTER TABLE campaign_units ADD COLUMN site_until TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE campaign_units DROP COLUMN site_until;
ALTER TABLE campaign_units DROP COLUMN self_until;
