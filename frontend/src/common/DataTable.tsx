import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import type { ReactNode } from 'react';

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

/**
 * A small table whose header cells are column headers (scope="col"), named by `label` for
 * screen readers; `children` are its body rows. It stands in an outlined frame unless it sits
 * in a card that frames it already (`outlined={false}`).
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
  return outlined ? (
    <TableContainer component={Paper} variant="outlined">
      {table}
    </TableContainer>
  ) : (
    <Box sx={{ overflowX: 'auto', mt: 1 }}>{table}</Box>
  );
}
