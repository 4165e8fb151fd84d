import { createTheme } from '@mui/material/styles';

const FOCUS = '#0d47a1';

// Colours chosen for WCAG 2.2 AA: every "main" colour reaches at least 4.5:1 on white, since
// outlined status chips draw their text in it.
export const theme = createTheme({
  palette: {
    primary: { main: '#1565c0' },
    secondary: { main: '#6a1b9a' },
    success: { main: '#2e7d32' },
    error: { main: '#c62828' },
    warning: { main: '#9a4a00' },
    info: { main: '#01579b' },
    text: { secondary: 'rgba(0, 0, 0, 0.68)' },
  },
  components: {
    MuiCssBaseline: {
      styleOverrides: {
        // A visible focus ring on everything focusable from the keyboard (2.4.7, 2.4.13).
        ':focus-visible': { outline: `3px solid ${FOCUS}`, outlineOffset: '2px' },
        // On the blue app bar the ring is white, to stand out from the bar.
        '.MuiAppBar-root :focus-visible, .MuiAppBar-root .Mui-focusVisible': { outlineColor: '#fff' },
        '.visually-hidden': {
          position: 'absolute',
          width: 1,
          height: 1,
          overflow: 'hidden',
          clip: 'rect(0 0 0 0)',
          whiteSpace: 'nowrap',
        },
      },
    },
    // Material UI buttons, list items and switches remove the outline: put the ring back.
    MuiButtonBase: {
      styleOverrides: { root: { '&.Mui-focusVisible': { outline: `3px solid ${FOCUS}`, outlineOffset: '2px' } } },
    },
  },
});
