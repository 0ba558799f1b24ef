"""SNS SMS through boto3: messages published to a phone number or through
an `sms` subscription are recorded with their delivery status (listed at
/_stratus/sns/sms); a phone answering STOP (POST /_stratus/sns/sms/replies)
opts out, which CheckIfPhoneNumberIsOptedOut and ListPhoneNumbersOptedOut
report and which stops deliveries until OptInPhoneNumber; SMS attributes."""

import json
import time
import urllib.request
import uuid

from conftest import client_error


def post_reply(stratus, phone, message):
    req = urllib.request.Request(f"{stratus.endpoint}/_stratus/sns/sms/replies", method="POST",
                                 data=json.dumps({"PhoneNumber": phone, "Message": message}).encode())
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())["OptedOut"]


def recorded(stratus, message_id):
    with urllib.request.urlopen(f"{stratus.endpoint}/_stratus/sns/sms") as r:
        return [m for m in json.loads(r.read()) if m["MessageId"] == message_id]


def unique_phone():
    return "+1555" + str(uuid.uuid4().int)[:7]


def test_opt_out_by_reply_and_opt_in(stratus, client):
    sns = client("sns")
    phone = unique_phone()
    first = sns.publish(PhoneNumber=phone, Message="your code is 1234")["MessageId"]
    [m] = recorded(stratus, first)
    assert (m["PhoneNumber"], m["Message"], m["Status"]) == (phone, "your code is 1234", "SUCCESS")
    assert sns.check_if_phone_number_is_opted_out(phoneNumber=phone)["isOptedOut"] is False

    assert post_reply(stratus, phone, "hello") is False
    assert post_reply(stratus, phone, " stop ") is True
    assert sns.check_if_phone_number_is_opted_out(phoneNumber=phone)["isOptedOut"] is True
    assert phone in sns.list_phone_numbers_opted_out()["phoneNumbers"]

    second = sns.publish(PhoneNumber=phone, Message="again")["MessageId"]
    [m] = recorded(stratus, second)
    assert (m["Status"], m["ProviderResponse"]) == ("FAILURE", "Phone is currently opted out")
    topic = sns.create_topic(Name=f"sms-{uuid.uuid4().hex[:8]}")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=phone)
    via_topic = sns.publish(TopicArn=topic, Message="news")["MessageId"]
    for _ in range(50):
        if recorded(stratus, via_topic):
            break
        time.sleep(0.05)
    assert recorded(stratus, via_topic)[0]["Status"] == "FAILURE"

    sns.opt_in_phone_number(phoneNumber=phone)
    assert sns.check_if_phone_number_is_opted_out(phoneNumber=phone)["isOptedOut"] is False
    assert phone not in sns.list_phone_numbers_opted_out()["phoneNumbers"]
    third = sns.publish(PhoneNumber=phone, Message="welcome back")["MessageId"]
    assert recorded(stratus, third)[0]["Status"] == "SUCCESS"


def test_opted_out_list_pages(stratus, client):
    sns = client("sns")
    phones = sorted(unique_phone() for _ in range(105))
    for p in phones:
        assert post_reply(stratus, p, "STOP") is True
    listed, token = [], None
    while True:
        page = sns.list_phone_numbers_opted_out(**({"nextToken": token} if token else {}))
        assert len(page["phoneNumbers"]) <= 100
        listed += page["phoneNumbers"]
        token = page.get("nextToken")
        if not token:
            break
    assert set(phones) <= set(listed) and len(listed) == len(set(listed))
    for p in phones:
        sns.opt_in_phone_number(phoneNumber=p)


def test_invalid_numbers_and_attributes(client):
    sns = client("sns")
    for call in (sns.check_if_phone_number_is_opted_out, sns.opt_in_phone_number):
        status, err = client_error(call, phoneNumber="not-a-number")
        assert (status, err["Code"]) == (400, "InvalidParameter")
    sns.set_sms_attributes(attributes={"DefaultSMSType": "Transactional", "DefaultSenderID": "Stratus"})
    attrs = sns.get_sms_attributes(attributes=["DefaultSMSType"])["attributes"]
    assert attrs == {"DefaultSMSType": "Transactional"}
    status, err = client_error(sns.set_sms_attributes, attributes={"DefaultSMSType": "Loud"})
    assert (status, err["Code"]) == (400, "InvalidParameter")
