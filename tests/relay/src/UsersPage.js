// A page of users that a screen pages forward and back through: a Relay connection.
import { graphql } from "react-relay";

export const usersPageQuery = graphql`
  query UsersPageQuery($first: Int, $after: String, $last: Int, $before: String) {
    ...UsersPage_query
      @arguments(first: $first, after: $after, last: $last, before: $before)
  }
`;

export const usersPageFragment = graphql`
  fragment UsersPage_query on Query
  @refetchable(queryName: "UsersPagePaginationQuery")
  @argumentDefinitions(
    first: { type: "Int" }
    after: { type: "String" }
    last: { type: "Int" }
    before: { type: "String" }
  ) {
    users(first: $first, after: $after, last: $last, before: $before)
      @connection(key: "UsersPage_users") {
      totalCount
      edges {
        node {
          id
          ...UserCard_user
        }
      }
    }
  }
`;
