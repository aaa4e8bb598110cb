// The npm graphql-ws client, as a frontend uses it, against two Tenantry processes:
// it subscribes on process A and makes the changes over HTTP on process B.
// Run by tests/subscriptions/test_across_processes.py, which reads the JSON it prints.
//
//   WS_URL=ws://a/graphql HTTP_URL=http://b/graphql TOKEN=tns_… MEMBER_ID=… node subscribe.mjs

import WebSocket from "ws";

// --8<-- [start:client]
import { createClient } from "graphql-ws";

const client = createClient({
  url: process.env.WS_URL, // e.g. wss://accounts.example.com/graphql
  webSocketImpl: WebSocket, // browsers have one built in; Node 20 takes the `ws` package
  // A session token (the `sessionToken` of login) or an API token. A browser page on the
  // instance's own origin may leave this out: the session cookie then signs it in.
  connectionParams: { authorization: `Bearer ${process.env.TOKEN}` },
});

const invitations = client.iterate({
  query: `subscription {
    invitationChanged { kind invitationId invitation { username emailStatus emailError } }
  }`,
});
// --8<-- [end:client]

const users = client.iterate({
  query: "subscription { userChanged { kind userId user { username role } } }",
});

async function post(query, variables) {
  const response = await fetch(process.env.HTTP_URL, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Authorization: `Bearer ${process.env.TOKEN}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  console.error("posted", JSON.stringify(body));
  return body.data;
}

// Messages on one connection are handled in order: once the server has refused a query
// sent after the two subscriptions, it has started both. (Opening their feeds takes it no
// I/O; the change below takes an HTTP request, a commit and a NOTIFY through PostgreSQL.)
async function subscribed() {
  const refused = client.iterate({ query: "{ __typename }" });
  try {
    await refused.next();
  } catch (error) {
    return error;
  }
  throw new Error("a query over the WebSocket was not refused");
}

async function next(iterator) {
  const { value, done } = await iterator.next();
  if (done) throw new Error("the subscription ended");
  if (value.errors) throw new Error(JSON.stringify(value.errors));
  return value.data;
}

const timer = setTimeout(() => {
  console.error("timed out");
  process.exit(2);
}, 30_000);

const refusal = await subscribed();
console.error("subscribed");
const seen = { refusal: refusal[0]?.message ?? String(refusal), invitations: [], users: [] };

await post(
  `mutation($input: SendInvitationInput!) { sendInvitation(input: $input) { __typename } }`,
  { input: { username: "nina", email: "nina@invitee.example", role: "MEMBER" } },
);
console.error("invited");
// CREATED while PENDING, then UPDATED once process A's or B's outbox worker sent it.
while (seen.invitations.length < 2) {
  seen.invitations.push((await next(invitations)).invitationChanged);
  console.error("invitation change", JSON.stringify(seen.invitations.at(-1)));
}

await post(
  `mutation($input: UpdateUserInput!) { updateUser(input: $input) { __typename } }`,
  { input: { id: process.env.MEMBER_ID, role: "GUEST" } },
);
seen.users.push((await next(users)).userChanged);

console.log(JSON.stringify(seen));
clearTimeout(timer);
await client.dispose();
