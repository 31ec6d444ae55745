/**
 * The explorer's table: rows from server cursors (GET /audit/entries?after=<last seq>, 500 a page), read
 * ahead as the user nears the end, and drawn virtually: only the rows in view (and a few around them) are
 * in the DOM, whatever the number of entries loaded. Rows have a fixed height, so scrolling never measures.
 */
import { Badge, Box, Group, Loader, Text } from '@mantine/core';
import { IconBan, IconCheck, IconShieldX } from '@tabler/icons-react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import type { Query } from '../../api/client';
import { useApi } from '../../auth/context';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import { entryPage, PAGE_SIZE, type EntryRow } from './api';

export const ROW_HEIGHT = 40;
/** Read the next page when fewer than this many loaded rows are left below the view. */
const READ_AHEAD = PAGE_SIZE;

interface Column {
  id: string;
  label: string;
  width: number | string;
  grow?: number;
}

function useColumns(showKind: boolean): Column[] {
  const { t } = useTranslation('compliance');
  return useMemo(
    () =>
      [
        { id: 'seq', label: t('entries.seq'), width: 84 },
        { id: 'at', label: t('entries.at'), width: 190 },
        ...(showKind ? [{ id: 'kind', label: t('entries.kind'), width: 150 }] : []),
        { id: 'actor', label: t('entries.actor'), width: 150, grow: 1 },
        { id: 'dataset', label: t('entries.dataset'), width: 140, grow: 1 },
        { id: 'action', label: t('entries.action'), width: 130 },
        { id: 'allow', label: t('entries.result'), width: 110 },
        { id: 'rule', label: t('entries.rule'), width: 200, grow: 1 },
        { id: 'purpose', label: t('entries.purpose'), width: 130 },
      ] satisfies Column[],
    [t, showKind],
  );
}

const cellStyle = (c: Column): CSSProperties => ({
  flex: `${c.grow ?? 0} 0 ${typeof c.width === 'number' ? `${c.width}px` : c.width}`,
  minWidth: 0,
  overflow: 'hidden',
  textOverflow: 'ellipsis',
  whiteSpace: 'nowrap',
  padding: '0 8px',
});

/** Allowed / denied / refused, in words and an icon (never by colour alone). */
export function ResultBadge({ kind, allow }: { kind: string; allow: boolean | null }) {
  const { t } = useTranslation('compliance');
  if (kind === 'security.refusal')
    return (
      <Badge color="grape.9" variant="outline" leftSection={<IconShieldX size={12} aria-hidden />}>
        {t('result.refused')}
      </Badge>
    );
  if (allow === null) return <Text size="sm">—</Text>;
  return allow ? (
    <Badge color="teal.9" variant="outline" leftSection={<IconCheck size={12} aria-hidden />}>
      {t('result.allow')}
    </Badge>
  ) : (
    <Badge color="red.9" variant="outline" leftSection={<IconBan size={12} aria-hidden />}>
      {t('result.deny')}
    </Badge>
  );
}

/** What every row shows the same way: labels and formatters made once per table, not once per row. */
interface RowKit {
  columns: Column[];
  cellStyles: CSSProperties[];
  open: (seq: number) => void;
  openLabel: (seq: number) => string;
  kindLabel: (kind: string) => string;
  result: { allow: string; deny: string; refused: string };
  at: (ms: number) => string;
}

const RESULT_STYLE: CSSProperties = {
  display: 'inline-flex',
  alignItems: 'center',
  gap: 4,
  padding: '0 8px',
  border: '1px solid currentColor',
  borderRadius: 999,
  fontSize: 11,
  fontWeight: 700,
  lineHeight: '18px',
  textTransform: 'uppercase',
};
const RESULT_COLOR = {
  allow: 'var(--mantine-color-teal-9)',
  deny: 'var(--mantine-color-red-9)',
  refused: 'var(--mantine-color-grape-9)',
};

/** The table's allowed / denied / refused: words and an icon (not colour alone), in plain elements. */
function ResultText({ row, kit }: { row: EntryRow; kit: RowKit }) {
  if (row.kind !== 'security.refusal' && row.allow === null) return <>—</>;
  const which = row.kind === 'security.refusal' ? 'refused' : row.allow ? 'allow' : 'deny';
  const Icon = which === 'refused' ? IconShieldX : which === 'allow' ? IconCheck : IconBan;
  return (
    <span style={{ ...RESULT_STYLE, color: RESULT_COLOR[which] }}>
      <Icon size={12} aria-hidden />
      {kit.result[which]}
    </span>
  );
}

const ROW_STYLE: CSSProperties = {
  position: 'absolute',
  top: 0,
  left: 0,
  width: '100%',
  height: ROW_HEIGHT,
  display: 'flex',
  alignItems: 'center',
  borderBottom: '1px solid var(--mantine-color-gray-3)',
  cursor: 'pointer',
  fontSize: 'var(--mantine-font-size-sm)',
  background: 'var(--mantine-color-body)',
};
const OPEN_STYLE: CSSProperties = {
  all: 'unset',
  cursor: 'pointer',
  textDecoration: 'underline',
  fontVariantNumeric: 'tabular-nums',
};

/**
 * One row: no hooks and no component library inside, so a frame that brings 100 new rows into view
 * renders plain elements only. Memoised: a row re-renders only when its entry or position changes.
 */
const Row = memo(function Row({
  row,
  index,
  start,
  kit,
}: {
  row: EntryRow;
  index: number;
  start: number;
  kit: RowKit;
}) {
  const value = (id: string) => {
    switch (id) {
      case 'seq':
        return (
          <button
            type="button"
            onClick={(e) => {
              e.stopPropagation();
              kit.open(row.seq);
            }}
            aria-label={kit.openLabel(row.seq)}
            style={OPEN_STYLE}
            className="mantine-focus-auto"
            data-testid="open-entry"
          >
            {row.seq}
          </button>
        );
      case 'at':
        return kit.at(row.at);
      case 'kind':
        return kit.kindLabel(row.kind);
      case 'allow':
        return <ResultText row={row} kit={kit} />;
      default: {
        const v = row[id as keyof EntryRow];
        return v === null || v === undefined || v === '' ? '—' : String(v);
      }
    }
  };
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      data-testid="entry-row"
      data-seq={row.seq}
      onClick={() => kit.open(row.seq)}
      style={{ ...ROW_STYLE, transform: `translateY(${start}px)` }}
    >
      {kit.columns.map((c, i) => {
        const v = row[c.id as keyof EntryRow];
        return (
          <div role="cell" key={c.id} style={kit.cellStyles[i]} title={typeof v === 'string' ? v : undefined}>
            {value(c.id)}
          </div>
        );
      })}
    </div>
  );
});

/** Rows are keyed by their slot in the window, not by entry: scrolling reuses DOM nodes. */
const SLOTS = 256;

export function EntryTable({
  query,
  showKind,
  onOpen,
}: {
  query: Query;
  showKind: boolean;
  onOpen: (seq: number) => void;
}) {
  const { t } = useTranslation('compliance');
  const fmt = useFormat();
  const api = useApi();
  const columns = useColumns(showKind);
  const kit = useMemo<RowKit>(() => {
    const dtf = new Intl.DateTimeFormat(fmt.lng, {
      dateStyle: 'medium',
      timeStyle: 'medium',
      timeZone: fmt.timeZone,
    });
    return {
      columns,
      cellStyles: columns.map(cellStyle),
      open: onOpen,
      openLabel: (seq) => t('entries.open', { seq }),
      kindLabel: (kind) => t(`kinds.${kind}`, { defaultValue: kind }),
      result: { allow: t('result.allow'), deny: t('result.deny'), refused: t('result.refused') },
      at: (ms) => dtf.format(ms),
    };
  }, [columns, onOpen, t, fmt.lng, fmt.timeZone]);
  const entries = useInfiniteQuery({
    queryKey: ['compliance', 'entries', query],
    queryFn: ({ pageParam, signal }) => entryPage(api, query, pageParam, signal),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
    // A refetch would re-read every loaded page: the list changes only when the user asks (Refresh).
    staleTime: Infinity,
  });
  const rows = useMemo(() => entries.data?.pages.flatMap((p) => p.rows) ?? [], [entries.data]);
  const more = entries.hasNextPage;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length + (more ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 5,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  const { fetchNextPage, isFetchingNextPage } = entries;
  // One page at a time: a second call while one is in flight is a no-op (never cancel-and-restart, which
  // could append pages out of order).
  useEffect(() => {
    if (more && !isFetchingNextPage && lastIndex >= rows.length - READ_AHEAD)
      void fetchNextPage({ cancelRefetch: false });
  }, [more, isFetchingNextPage, lastIndex, rows.length, fetchNextPage]);

  // Back to the top when the filters change.
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [query]);

  const minWidth = columns.reduce((n, c) => n + (typeof c.width === 'number' ? c.width : 120), 0);
  return (
    <Box>
      {entries.error && <ProblemAlert error={entries.error} />}
      <div
        ref={scrollRef}
        tabIndex={0}
        role="region"
        aria-label={t('entries.region')}
        data-testid="entries-scroll"
        data-loaded={rows.length}
        data-complete={!more && !entries.isPending}
        style={{
          height: 'max(320px, calc(100vh - 380px))',
          overflow: 'auto',
          border: '1px solid var(--mantine-color-gray-3)',
          borderRadius: 'var(--mantine-radius-md)',
          contain: 'strict',
        }}
      >
        <div
          role="table"
          aria-label={t('entries.caption')}
          aria-rowcount={more ? -1 : rows.length + 1}
          style={{ minWidth, position: 'relative' }}
        >
          <div role="rowgroup" style={{ position: 'sticky', top: 0, zIndex: 2 }}>
            <div
              role="row"
              aria-rowindex={1}
              style={{
                display: 'flex',
                alignItems: 'center',
                height: ROW_HEIGHT,
                background: 'var(--mantine-color-gray-1)',
                borderBottom: '1px solid var(--mantine-color-gray-4)',
                fontWeight: 600,
                fontSize: 'var(--mantine-font-size-sm)',
              }}
            >
              {columns.map((c) => (
                <div role="columnheader" key={c.id} style={cellStyle(c)}>
                  {c.label}
                </div>
              ))}
            </div>
          </div>
          <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((vi) => {
              const row = rows[vi.index];
              if (!row)
                return (
                  <div
                    role="row"
                    key="loading"
                    aria-rowindex={vi.index + 2}
                    style={{
                      position: 'absolute',
                      top: 0,
                      left: 0,
                      width: '100%',
                      height: ROW_HEIGHT,
                      transform: `translateY(${vi.start}px)`,
                      display: 'flex',
                      alignItems: 'center',
                    }}
                  >
                    <div role="cell" style={{ padding: '0 8px' }}>
                      <Group gap="xs">
                        <Loader size="xs" aria-hidden />
                        <Text size="sm">{t('entries.loadingMore')}</Text>
                      </Group>
                    </div>
                  </div>
                );
              return <Row key={vi.index % SLOTS} row={row} index={vi.index} start={vi.start} kit={kit} />;
            })}
          </div>
        </div>
        {!entries.isPending && rows.length === 0 && !entries.error && (
          <Text p="md" data-testid="entries-empty">
            {t('entries.none')}
          </Text>
        )}
        {entries.isPending && (
          <Group p="md" gap="xs">
            <Loader size="sm" aria-hidden />
            <Text size="sm">{t('entries.loading')}</Text>
          </Group>
        )}
      </div>
      <Text size="sm" mt={4} aria-live="polite" data-testid="entries-count">
        {more
          ? t('entries.loadedMore', { count: rows.length, n: fmt.number(rows.length) })
          : t('entries.loadedAll', { count: rows.length, n: fmt.number(rows.length) })}
      </Text>
    </Box>
  );
}
