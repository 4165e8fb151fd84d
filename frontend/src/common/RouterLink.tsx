import Link, { type LinkProps } from '@mui/material/Link';
import { forwardRef } from 'react';
import { Link as RouterLinkBase, type LinkProps as RouterLinkProps } from 'react-router';

/** A Material UI link that navigates inside the app. */
export const RouterLink = forwardRef<HTMLAnchorElement, Omit<LinkProps, 'href'> & Pick<RouterLinkProps, 'to' | 'state'>>(
  function RouterLink(props, ref) {
    return <Link ref={ref} component={RouterLinkBase} {...props} />;
  },
);
