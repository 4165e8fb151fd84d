import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Container from '@mui/material/Container';
import Divider from '@mui/material/Divider';
import Drawer from '@mui/material/Drawer';
import IconButton from '@mui/material/IconButton';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import SvgIcon from '@mui/material/SvgIcon';
import Toolbar from '@mui/material/Toolbar';
import Typography from '@mui/material/Typography';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';

import { useAuth } from '../auth/AuthProvider';
import { navFor, roleLabel } from '../auth/roles';
import { LanguageSwitcher } from './LanguageSwitcher';
import { ThemeToggle } from './ThemeToggle';
import { VerifyEmailBanner } from '../auth/VerifyEmailBanner';

function MenuIcon() {
  return (
    <SvgIcon aria-hidden="true">
      <path d="M3 18h18v-2H3v2zm0-5h18v-2H3v2zm0-7v2h18V6H3z" />
    </SvgIcon>
  );
}

/** The frame of every screen: skip link, app bar with the role's navigation, main region. */
export function AppLayout() {
  const { t } = useTranslation();
  const { user, logout } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  const items = user ? navFor(user.role) : [];

  // After navigating, move focus to the new page so screen readers announce it.
  useEffect(() => {
    setMenuOpen(false);
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  async function signOut() {
    await logout().catch(() => undefined);
    navigate('/login', { replace: true });
  }

  const navLinks = items.map((item) => (
    <Button
      key={item.label}
      component={NavLink}
      to={item.to}
      end
      color="inherit"
      sx={{ '&.active': { textDecoration: 'underline', textUnderlineOffset: '6px', fontWeight: 700 } }}
    >
      {t(`nav.${item.label}`)}
    </Button>
  ));

  return (
    <Box sx={{ minHeight: '100vh', display: 'flex', flexDirection: 'column' }}>
      <Box
        component="a"
        href="#main"
        sx={{
          position: 'absolute',
          left: 8,
          top: -48,
          zIndex: 2000,
          bgcolor: 'background.paper',
          color: 'primary.main',
          p: 1,
          '&:focus': { top: 8 },
        }}
      >
        {t('layout.skipLink')}
      </Box>
      <AppBar position="static" component="header">
        <Toolbar sx={{ gap: { xs: 0.5, sm: 1 }, px: { xs: 1, sm: 2 } }}>
          {items.length > 0 ? (
            <IconButton
              color="inherit"
              edge="start"
              aria-label={t('layout.openNavigation')}
              aria-controls="nav-drawer"
              aria-expanded={menuOpen}
              onClick={() => setMenuOpen(true)}
              sx={{ display: { md: 'none' } }}
            >
              <MenuIcon />
            </IconButton>
          ) : null}
          <Typography
            component={Link}
            to="/"
            variant="h6"
            sx={{ color: 'inherit', textDecoration: 'none', mr: { xs: 0, sm: 2 }, whiteSpace: 'nowrap', fontSize: { xs: '1.05rem', sm: '1.25rem' } }}
          >
            {t('layout.product')}
          </Typography>
          <Box component="nav" aria-label={t('layout.mainNavigation')} sx={{ display: { xs: 'none', md: 'flex' }, gap: 0.5, flexGrow: 1 }}>
            {navLinks}
          </Box>
          <Box sx={{ flexGrow: { xs: 1, md: 0 } }} />
          <LanguageSwitcher />
          <ThemeToggle />
          {user ? (
            <>
              <Typography variant="body2" sx={{ display: { xs: 'none', lg: 'block' } }} data-testid="signed-in-as">
                {user.full_name} · {roleLabel(user.role)}
              </Typography>
              <Button color="inherit" onClick={signOut} sx={{ whiteSpace: 'nowrap', minWidth: 0 }}>
                {t('layout.signOut')}
              </Button>
            </>
          ) : (
            <Button color="inherit" component={Link} to="/login" sx={{ whiteSpace: 'nowrap' }}>
              {t('layout.signIn')}
            </Button>
          )}
        </Toolbar>
      </AppBar>
      <Drawer id="nav-drawer" open={menuOpen} onClose={() => setMenuOpen(false)}>
        <Box component="nav" aria-label={t('layout.mainNavigation')} sx={{ width: 260 }}>
          {user ? (
            <Typography sx={{ p: 2 }}>
              {user.full_name}
              <br />
              <Typography component="span" variant="body2" color="text.secondary">
                {roleLabel(user.role)}
              </Typography>
            </Typography>
          ) : null}
          <Divider />
          {/* Each link in its own list item: a list holds only items (axe "list"). */}
          <List>
            {items.map((item) => (
              <ListItem key={item.label} disablePadding>
                <ListItemButton component={NavLink} to={item.to} end>
                  <ListItemText primary={t(`nav.${item.label}`)} />
                </ListItemButton>
              </ListItem>
            ))}
          </List>
        </Box>
      </Drawer>
      <Container
        component="main"
        id="main"
        ref={main}
        tabIndex={-1}
        maxWidth="lg"
        sx={{ py: { xs: 2, sm: 4 }, px: { xs: 1.5, sm: 3 }, flexGrow: 1, '&:focus': { outline: 'none' } }}
      >
        <VerifyEmailBanner />
        <Outlet />
      </Container>
    </Box>
  );
}
