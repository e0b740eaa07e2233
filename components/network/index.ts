export { AlicloudNetwork } from "./alicloud";
export { OciNetwork } from "./oci";
