import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { graphqlOptions } from './graphql.module';

describe('graphqlOptions', () => {
  it('runs guards and exception filters on field resolvers too, so their roles are checked and their errors mapped', () => {
    const options = graphqlOptions(testRuntimeConfig('postgresql://unused'));
    expect(options.fieldResolverEnhancers).toEqual(expect.arrayContaining(['guards', 'filters']));
  });
});
