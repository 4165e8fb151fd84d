import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { CsvFile } from '../api/endpoints';
import { toApiError } from '../api/errors';

/**
 * Downloads what the list's filters select as a CSV file. The API writes it and wants the
 * signed-in caller's token, so it is fetched rather than linked; the result (or why it
 * failed, or that the file was cut short) is announced beside the button.
 */
export function ExportButton({ download }: { download: () => Promise<CsvFile> }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState('');

  async function run() {
    setBusy(true);
    setResult('');
    try {
      const file = await download();
      const url = URL.createObjectURL(file.blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = file.name;
      anchor.click();
      URL.revokeObjectURL(url);
      setResult(file.truncated ? t('export.truncated') : t('export.done'));
    } catch (error) {
      setResult(toApiError(error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap' }}>
      <Button variant="outlined" onClick={run} disabled={busy}>
        {busy ? t('export.busy') : t('export.button')}
      </Button>
      <Typography role="status" variant="body2" color="text.secondary">
        {result}
      </Typography>
    </Box>
  );
}
