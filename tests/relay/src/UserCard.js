// One user, refetched on its own through node(id:): a refetchable fragment on a Node type.
import { graphql } from "react-relay";

export const userCardFragment = graphql`
  fragment UserCard_user on User @refetchable(queryName: "UserCardRefetchQuery") {
    username
    email
    role
  }
`;
