import { AppShell, Badge, Button, Group, NavLink, ScrollArea, Text, Title } from '@mantine/core';
import { NavLink as RouterLink, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { AuthProvider, useAuth } from './api/auth';
import { Loading } from './components/states';
import { AuditPage } from './pages/AuditPage';
import { ClustersPage } from './pages/ClustersPage';
import { GnsDetailPage } from './pages/GnsDetailPage';
import { GnsEditPage } from './pages/GnsEditPage';
import { GnsListPage } from './pages/GnsListPage';
import { OverviewPage } from './pages/OverviewPage';
import { PoliciesPage } from './pages/PoliciesPage';
import { SignInPage } from './pages/SignInPage';
import { SloDetailPage } from './pages/SloDetailPage';
import { SloEditPage } from './pages/SloEditPage';
import { SlosPage } from './pages/SlosPage';
import { TokensPage } from './pages/TokensPage';
import { TopologyPage } from './pages/TopologyPage';
import { WebhooksPage } from './pages/WebhooksPage';

export function App() {
  return (
    <AuthProvider>
      <Shell />
    </AuthProvider>
  );
}

const NAV: { to: string; label: string; end?: boolean }[] = [
  { to: '/', label: 'Overview', end: true },
  { to: '/clusters', label: 'Clusters' },
  { to: '/gns', label: 'Global Namespaces' },
  { to: '/slos', label: 'SLOs' },
  { to: '/webhooks', label: 'Webhooks' },
];
const ADMIN_NAV: { to: string; label: string; end?: boolean }[] = [
  { to: '/tokens', label: 'API tokens' },
  { to: '/audit', label: 'Audit log' },
];

function Shell() {
  const { session, checking, signOut, isAdmin } = useAuth();
  const location = useLocation();
  if (checking) return <Loading label="Checking your session…" />;
  if (!session) return <SignInPage />;
  const nav = isAdmin ? [...NAV, ...ADMIN_NAV] : NAV;
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm' }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={3}>Lattice</Title>
          <Group gap="sm">
            <Text size="sm" data-testid="tenant">
              Tenant <b>{session.tenantName}</b>
            </Text>
            <Badge variant="outline" data-testid="role">
              {session.role}
            </Badge>
            <Text size="xs" c="dimmed">
              token {session.tokenName}
            </Text>
            <Button size="xs" variant="default" onClick={signOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <ScrollArea>
          {nav.map((item) => (
            <NavLink
              key={item.to}
              component={RouterLink}
              to={item.to}
              label={item.label}
              active={item.end ? location.pathname === item.to : location.pathname.startsWith(item.to)}
            />
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Routes>
          <Route path="/" element={<OverviewPage />} />
          <Route path="/clusters" element={<ClustersPage />} />
          <Route path="/gns" element={<GnsListPage />} />
          <Route path="/gns/new" element={<GnsEditPage />} />
          <Route path="/gns/:id" element={<GnsDetailPage />} />
          <Route path="/gns/:id/edit" element={<GnsEditPage />} />
          <Route path="/gns/:id/topology" element={<TopologyPage />} />
          <Route path="/gns/:id/policies" element={<PoliciesPage />} />
          <Route path="/slos" element={<SlosPage />} />
          <Route path="/slos/new" element={<SloEditPage />} />
          <Route path="/slos/:id" element={<SloDetailPage />} />
          <Route path="/slos/:id/edit" element={<SloEditPage />} />
          <Route path="/webhooks" element={<WebhooksPage />} />
          <Route path="/tokens" element={isAdmin ? <TokensPage /> : <Navigate to="/" />} />
          <Route path="/audit" element={isAdmin ? <AuditPage /> : <Navigate to="/" />} />
          <Route path="*" element={<Text>No such page.</Text>} />
        </Routes>
      </AppShell.Main>
    </AppShell>
  );
}
