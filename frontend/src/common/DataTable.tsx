import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { type ReactNode, type RefObject, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

type Breakpoint = 'sm' | 'md';

export interface Column {
  label: string;
  align?: 'left' | 'right';
  /** Narrow screens drop this column; its body cells take the same `hiddenBelow` sx. */
  hideBelow?: Breakpoint;
}

/** The sx that hides a table cell below `breakpoint`, for a column with `hideBelow`. */
export function hiddenBelow(breakpoint: Breakpoint) {
  return { display: { xs: 'none', [breakpoint]: 'table-cell' } };
}

/** Whether the element's content is wider than the element (it scrolls sideways), and whether it is scrolled to the end. */
export function useHorizontalScroll(ref: RefObject<HTMLElement | null>): { scrollable: boolean; atEnd: boolean } {
  const [state, setState] = useState({ scrollable: false, atEnd: true });
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const scrollable = element.scrollWidth > element.clientWidth + 1;
      const atEnd = element.scrollLeft + element.clientWidth >= element.scrollWidth - 1;
      setState((s) => (s.scrollable === scrollable && s.atEnd === atEnd ? s : { scrollable, atEnd }));
    };
    measure();
    element.addEventListener('scroll', measure, { passive: true });
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(measure);
    observer?.observe(element);
    if (element.firstElementChild) observer?.observe(element.firstElementChild);
    return () => {
      element.removeEventListener('scroll', measure);
      observer?.disconnect();
    };
  }, [ref]);
  return state;
}

/**
 * A small table whose header cells are column headers (scope="col"), named by `label` for
 * screen readers; `children` are its body rows. It stands in an outlined frame unless it sits
 * in a card that frames it already (`outlined={false}`). When it is wider than the screen it
 * says so, shades the edge that hides columns, and its frame takes keyboard focus, so it can be
 * scrolled with the arrow keys (axe "scrollable-region-focusable").
 */
export function DataTable({
  label,
  columns,
  outlined = true,
  children,
}: {
  label: string;
  columns: (string | Column)[];
  outlined?: boolean;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const frame = useRef<HTMLDivElement>(null);
  const { scrollable, atEnd } = useHorizontalScroll(frame);
  const table = (
    <Table size="small" aria-label={label}>
      <TableHead>
        <TableRow>
          {columns.map((column) => {
            const { label: text, align, hideBelow }: Column = typeof column === 'string' ? { label: column } : column;
            return (
              <TableCell key={text} scope="col" align={align} sx={hideBelow ? hiddenBelow(hideBelow) : undefined}>
                {text}
              </TableCell>
            );
          })}
        </TableRow>
      </TableHead>
      <TableBody>{children}</TableBody>
    </Table>
  );
  return (
    <>
      {scrollable ? (
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1, mb: 0.5 }} data-scroll-hint>
          {t('table.scrollHint')}
        </Typography>
      ) : null}
      <Box
        ref={frame}
        component={outlined ? Paper : 'div'}
        {...(outlined ? { variant: 'outlined' } : {})}
        {...(scrollable ? { tabIndex: 0, role: 'region', 'aria-label': t('table.scrollRegion', { label }) } : {})}
        sx={{
          overflowX: 'auto',
          mt: outlined ? 0 : 1,
          // A shadow on the right edge while columns hide beyond it.
          boxShadow: scrollable && !atEnd ? 'inset -14px 0 10px -10px rgba(0, 0, 0, 0.45)' : undefined,
        }}
      >
        {table}
      </Box>
    </>
  );
}
