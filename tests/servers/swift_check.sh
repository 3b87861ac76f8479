#!/bin/sh
# Checks a swift.sh S3 endpoint with curl's own SigV4 signing, and so shows
# the exact flags that work (and the pitfalls, checked as such).
#
#	swift_check.sh <url>	check the server at <url> (http://127.0.0.1:N,
#				as swift.sh start printed it)
#	swift_check.sh		start one with swift.sh in a temporary dir on
#				port $SWIFT_CHECK_PORT (58090), check it, stop it
#
# The incantation, for access key test:tester, secret testing:
#
#	curl --aws-sigv4 aws:amz:us-east-1:s3 \
#	    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
#	    'http://test%3Atester:testing@127.0.0.1:N/bucket/key?a=1&b=x%2Fy'
#
# - The access key holds a ':', and --user splits at the first one (user
#   "test", password "tester:testing": 403).  In the URL's userinfo the
#   ':' is written %3A and curl decodes it; a --netrc-file line
#   "machine 127.0.0.1 login test:tester password testing" works too.
#   libcurl: CURLOPT_USERNAME and CURLOPT_PASSWORD.
# - curl 7.88 does not send x-amz-content-sha256, which Swift requires
#   (400 without it): send UNSIGNED-PAYLOAD or the body's real sha256.
# - curl signs the query as written: keep the parameters sorted and every
#   value percent-encoded ('/' as %2F, '=' as %3D), and give valueless
#   ones an '=' (?delete=, ?uploads=), or the signature does not match.
# - Swift 2.30 (Debian 12) answers 501 to If-None-Match on PUT and to
#   aws-chunked (streaming SigV4) bodies; plain Transfer-Encoding: chunked
#   with UNSIGNED-PAYLOAD works.
#
# Prints one line per check and "swift_check: N passed, N failed"; exits
# non-zero if any failed.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

if [ $# -eq 0 ]; then
	port=${SWIFT_CHECK_PORT:-58090}
	sdir=$(mktemp -d "${TMPDIR:-/tmp}/swift_check.XXXXXX")
	trap 'sh "$here/swift.sh" stop "$sdir"; rm -rf "$sdir"' EXIT
	trap 'exit 1' INT TERM
	url=$(sh "$here/swift.sh" start "$sdir" "$port")
elif [ $# -eq 1 ]; then
	url=$1
else
	echo "usage: swift_check.sh [http://127.0.0.1:<port>]" >&2
	exit 2
fi
hostport=${url#http://}
hostport=${hostport%/}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/swift_check_tmp.XXXXXX")
trap 'rm -rf "$tmp"; [ -z "${sdir:-}" ] ||
    { sh "$here/swift.sh" stop "$sdir"; rm -rf "$sdir"; }' EXIT

bucket=pgl-check-$$
secret=testing
sha=UNSIGNED-PAYLOAD
pass=0 fail=0

# s3 <method> <path?query> [curl args]: the status in $code, the body in
# $tmp/out.  $secret and $sha choose the secret and x-amz-content-sha256.
s3() {
	m=$1 p=$2
	shift 2
	: >"$tmp/out"
	code=$(curl -sS -o "$tmp/out" -w '%{http_code}' -X "$m" \
	    --aws-sigv4 aws:amz:us-east-1:s3 \
	    -H "x-amz-content-sha256: $sha" \
	    "http://test%3Atester:$secret@$hostport/$p" "$@") || code=000
}

# check <what> <status> [text the body must hold]
check() {
	if [ "$code" = "$2" ] && { [ $# -lt 3 ] || grep -qF -- "$3" "$tmp/out"; }
	then
		pass=$((pass + 1))
		echo "ok - $1"
	else
		fail=$((fail + 1))
		echo "not ok - $1: status $code, wanted $2${3:+ and \"$3\"}"
		head -c 600 "$tmp/out" | sed 's/^/#   /'
		echo
	fi
}

# sorted/encoded query values: base64 tokens hold + / =.
qenc() {
	printf %s "$1" | sed 's/%/%25/g; s/+/%2B/g; s|/|%2F|g; s/=/%3D/g'
}

s3 PUT "$bucket"
check "create bucket" 200
if [ $fail -ne 0 ]; then
	echo "swift_check: $pass passed, $fail failed"
	exit 1
fi

printf hello >"$tmp/a"
s3 PUT "$bucket/db1/t1/a.txt" --data-binary @"$tmp/a"
check "PUT object, UNSIGNED-PAYLOAD" 200

printf 'signed body' >"$tmp/b"
sha=$(sha256sum "$tmp/b" | cut -d' ' -f1)
s3 PUT "$bucket/db1/t1/b.txt" --data-binary @"$tmp/b"
check "PUT object, x-amz-content-sha256 of the body" 200
s3 PUT "$bucket/db1/t1/x.txt" --data-binary @"$tmp/a"
check "PUT object whose body does not match its sha256: 400" 400 BadDigest
sha=UNSIGNED-PAYLOAD

s3 GET "$bucket/db1/t1/a.txt"
check "GET object" 200 hello

s3 HEAD "$bucket/db1/t1/a.txt" -I
check "HEAD object" 200

secret=wrong
s3 GET "$bucket/db1/t1/a.txt"
check "wrong secret: 403 SignatureDoesNotMatch" 403 SignatureDoesNotMatch
secret=testing

printf c >"$tmp/c"
s3 PUT "$bucket/db1/t1/c.txt" --data-binary @"$tmp/c"
check "PUT a third object" 200
s3 PUT "$bucket/db2/t9/z.txt" --data-binary @"$tmp/c"
check "PUT one under another prefix" 200

s3 GET "$bucket?list-type=2&prefix=db1%2F"
check "ListObjectsV2 with a prefix" 200 "<KeyCount>3</KeyCount>"
s3 GET "$bucket?list-type=2&prefix=db1/"
check "pitfall: a '/' left raw in the query fails the signature" 403 \
    SignatureDoesNotMatch
s3 GET "$bucket?prefix=db1%2F&list-type=2"
check "pitfall: an unsorted query fails the signature" 403 \
    SignatureDoesNotMatch

s3 GET "$bucket?list-type=2&max-keys=2&prefix=db1%2F"
check "ListObjectsV2 first page" 200 "<IsTruncated>true</IsTruncated>"
token=$(sed -n 's|.*<NextContinuationToken>\([^<]*\)<.*|\1|p' "$tmp/out")
s3 GET "$bucket?continuation-token=$(qenc "$token")&list-type=2&max-keys=2&prefix=db1%2F"
check "ListObjectsV2 continuation-token page" 200 "<Key>db1/t1/c.txt</Key>"
grep -qF "<IsTruncated>false</IsTruncated>" "$tmp/out" ||
	{ code=truncated; check "ListObjectsV2 last page ends" 200; }

printf 'x' >"$tmp/x"
s3 PUT "$bucket/db1/t1/new.txt" -H 'If-None-Match: *' --data-binary @"$tmp/x"
check "If-None-Match: * on PUT is not supported: 501" 501 NotImplemented

printf 'chunked body' >"$tmp/ch"
s3 PUT "$bucket/db1/t1/chunked.txt" -H 'Transfer-Encoding: chunked' \
    --data-binary @"$tmp/ch"
check "PUT with Transfer-Encoding: chunked" 200
s3 GET "$bucket/db1/t1/chunked.txt"
check "GET the chunked upload" 200 "chunked body"

s3 PUT "$bucket/db1/t1/aws.txt" -H 'Content-Encoding: aws-chunked' \
    -H 'x-amz-decoded-content-length: 1' --data-binary @"$tmp/x"
check "aws-chunked (streaming SigV4) is not supported: 501" 501 \
    NotImplemented

cat >"$tmp/del" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<Delete><Object><Key>db1/t1/b.txt</Key></Object><Object><Key>db1/t1/c.txt</Key></Object><Object><Key>db1/t1/chunked.txt</Key></Object></Delete>
EOF
md5=$(/usr/bin/python3 -c 'import base64, hashlib, sys
print(base64.b64encode(hashlib.md5(open(sys.argv[1], "rb").read()).digest()).decode())' "$tmp/del")
s3 POST "$bucket?delete" -H "Content-MD5: $md5" --data-binary @"$tmp/del"
check "pitfall: ?delete without '=' fails the signature" 403 \
    SignatureDoesNotMatch
s3 POST "$bucket?delete=" -H "Content-MD5: $md5" --data-binary @"$tmp/del"
check "multi-object delete (POST ?delete=, Content-MD5)" 200 \
    "<Deleted><Key>db1/t1/c.txt</Key></Deleted>"
s3 GET "$bucket?list-type=2&prefix=db1%2F"
check "multi-object delete removed them" 200 "<KeyCount>1</KeyCount>"

s3 DELETE "$bucket/db1/t1/a.txt"
check "DELETE object" 204
s3 GET "$bucket/db1/t1/a.txt"
check "GET deleted object: 404 NoSuchKey" 404 NoSuchKey
s3 DELETE "$bucket/db2/t9/z.txt"
check "DELETE the last object" 204
s3 DELETE "$bucket"
check "DELETE bucket" 204

echo "swift_check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
