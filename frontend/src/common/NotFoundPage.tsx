import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { Link } from 'react-router';

import { PageHeader } from './PageHeader';

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <Typography sx={{ mb: 2 }}>There is no page at this address.</Typography>
      <Button component={Link} to="/" variant="contained">
        Go to your start page
      </Button>
    </>
  );
}
